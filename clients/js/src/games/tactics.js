// Tactics (docs/protocol.md, "Tactics"): the view folded forward by events (the same fold for the web client and
// for bots), movement as the server computes it (for highlighting and planning; the server decides), the combat
// log in words, and the encounter's actions. Pure, apart from the action helpers at the end, which send through
// a Session. No DOM here.

export const id = 'tactics';

export const WALL = '#';
export const DIFFICULT = '~';
export const LOG_LIMIT = 100;
const STEPS = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]];

/** @typedef {{x: number, y: number}} Cell */

/**
 * @typedef {object} Unit
 * @property {string} id
 * @property {string} name
 * @property {string} side
 * @property {number} x
 * @property {number} y
 * @property {number} hp
 * @property {number} maxHp
 * @property {number} ac
 * @property {number} speed
 * @property {number} attack
 * @property {string} damage
 * @property {number} range
 * @property {number} init
 * @property {string|null} [owner]
 */

/** @typedef {{unit: string, roll: number, modifier: number, total: number}} InitiativeRoll */
/** @typedef {{id: string, name: string, host?: boolean}} TacticsPlayer */

/**
 * The encounter as every player sees it (nothing is hidden in tactics). Times are on the server's clock.
 * @typedef {object} TacticsView
 * @property {string} code
 * @property {string} host
 * @property {string} scenario
 * @property {number} width
 * @property {number} height
 * @property {string[]} rows             `.` floor, `#` wall, `~` difficult terrain
 * @property {TacticsPlayer[]} players
 * @property {Unit[]} units
 * @property {'setup'|'battle'|'over'} phase
 * @property {string[]} order            unit ids by initiative
 * @property {InitiativeRoll[]} initiative
 * @property {string|null} [current]     whose turn it is
 * @property {number} [round]
 * @property {number} moved              movement spent this turn
 * @property {boolean} attacked
 * @property {number} [turnSeconds]
 * @property {number|null} [turnEndsAt]  epoch ms (server clock)
 * @property {string|null} [winner]
 * @property {string|null} [closed]
 * @property {Record<string, any>[]} log the newest LOG_LIMIT events
 * @property {Record<string, any>|null} [result] the `encounter_won` event, once the encounter is won
 * @property {number} [encounter] 1, 2, … (a rematch starts the next)
 * @property {{action?: string, player: string, name: string, text?: string, at: number}[]} [chat] the newest 50 lines
 */

/** @param {Cell} a @param {Cell} b */
export const chebyshev = (a, b) => Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y));

/**
 * @param {{units?: Unit[]}} view
 * @param {string|null|undefined} unitId
 * @returns {Unit|null}
 */
export function unitById(view, unitId) {
  return (view.units || []).find((u) => u.id === unitId) || null;
}

/** @param {Unit} u */
export const isDown = (u) => u.hp <= 0;

/** Who plays a unit: its owner, else the host. @param {TacticsView} view @param {Unit} u */
export const controller = (view, u) => u.owner || view.host;

/** @param {TacticsView} view @param {number} x @param {number} y */
function cell(view, x, y) {
  return view.rows[y][x];
}

/** @param {TacticsView} view @param {number} x @param {number} y */
function inside(view, x, y) {
  return x >= 0 && y >= 0 && x < view.width && y < view.height;
}

/**
 * The state from a `joined` message: the view itself (with a log).
 * @param {{view?: any}} joined
 * @returns {TacticsView}
 */
export function init(joined) {
  const view = joined.view || {};
  return {
    players: [], units: [], order: [], initiative: [], moved: 0, attacked: false, ...view,
    log: Array.isArray(view.log) ? view.log : [],
  };
}

/** Why the encounter closed, or null while it is open. @param {TacticsView} view */
export function closed(view) {
  return view.closed || null;
}

/**
 * The cells `unit` may end a move on with `budget` movement left: Map "x,y" -> cost. 8-way; entering difficult
 * terrain costs 2; no cutting a wall's corner; enemies block; allies may be passed but not stopped on.
 * @param {TacticsView} view
 * @param {Unit} unit
 * @param {number} budget
 * @returns {Map<string, number>}
 */
export function reachable(view, unit, budget) {
  const w = view.width;
  /** @type {Map<string, number>} */
  const cost = new Map();
  const enemy = new Set();
  const standing = new Set();
  for (const u of view.units) {
    if (isDown(u)) continue;
    standing.add(`${u.x},${u.y}`);
    if (u.side !== unit.side) enemy.add(`${u.x},${u.y}`);
  }
  const start = `${unit.x},${unit.y}`;
  cost.set(start, 0);
  // Small grids (at most 24×24): a plain Dijkstra with a sorted frontier is plenty.
  const frontier = [[0, unit.x, unit.y]];
  while (frontier.length) {
    frontier.sort((a, b) => a[0] - b[0] || (a[2] * w + a[1]) - (b[2] * w + b[1]));
    const [c, x, y] = /** @type {number[]} */ (frontier.shift());
    if (c > /** @type {number} */ (cost.get(`${x},${y}`))) continue;
    for (const [dx, dy] of STEPS) {
      const nx = x + dx;
      const ny = y + dy;
      const key = `${nx},${ny}`;
      if (!inside(view, nx, ny) || cell(view, nx, ny) === WALL || enemy.has(key)) continue;
      if (dx && dy && (cell(view, nx, y) === WALL || cell(view, x, ny) === WALL)) continue;
      const next = c + (cell(view, nx, ny) === DIFFICULT ? 2 : 1);
      if (next <= budget && next < (cost.get(key) ?? Infinity)) {
        cost.set(key, next);
        frontier.push([next, nx, ny]);
      }
    }
  }
  /** @type {Map<string, number>} */
  const cells = new Map();
  for (const [key, c] of cost) if (c > 0 && !standing.has(key)) cells.set(key, c);
  return cells;
}

/** Enemies `unit` can attack from where it stands. @param {TacticsView} view @param {Unit} unit */
export function targets(view, unit) {
  return view.units.filter((u) => !isDown(u) && u.side !== unit.side && chebyshev(u, unit) <= unit.range);
}

/**
 * The unit `player` may act with now: the current one, if they command it and the battle is on.
 * @param {TacticsView} view
 * @param {string|null|undefined} player
 * @returns {Unit|null}
 */
export function myTurnUnit(view, player) {
  if (!view || view.phase !== 'battle' || !view.current || view.closed) return null;
  const u = unitById(view, view.current);
  return u && controller(view, u) === player && !isDown(u) ? u : null;
}

/** @param {InitiativeRoll} a @param {InitiativeRoll} b */
const byInitiative = (a, b) => b.total - a.total || b.modifier - a.modifier;

/**
 * The view after one event: the same fold the server does (TacticsRules.apply), on the fields a view has.
 * Never changes `view` itself; an unknown event changes nothing.
 * @param {TacticsView} view
 * @param {Record<string, any>} e the event's body
 * @returns {TacticsView}
 */
export function fold(view, e) {
  const v = {
    ...view,
    units: [...view.units],
    players: [...view.players],
    order: [...view.order],
    initiative: [...view.initiative],
  };
  /** @param {string} unitId @param {Partial<Unit>} change */
  const setUnit = (unitId, change) => {
    v.units = v.units.map((u) => (u.id === unitId ? { ...u, ...change } : u));
  };
  switch (e.type) {
    case 'player_joined':
      if (!v.players.some((p) => p.id === e.player.id)) v.players.push({ ...e.player, host: false });
      break;
    case 'player_left':
    case 'player_kicked':
      v.players = v.players.filter((p) => p.id !== e.player);
      v.units = v.units.map((u) => (u.owner === e.player ? { ...u, owner: null } : u));
      if (e.type === 'player_kicked' && v.chat) v.chat = v.chat.filter((c) => c.player !== e.player);
      break;
    case 'unit_assigned':
      setUnit(e.unit, { owner: e.player || null });
      break;
    case 'unit_added':
      v.units.push(e.unit);
      if (e.initiative) {
        v.initiative.push(e.initiative);
        /** @param {string} unitId */
        const rollOf = (unitId) => v.initiative.find((i) => i.unit === unitId);
        let at = v.order.findIndex((unitId) => {
          const r = rollOf(unitId);
          return r && byInitiative(e.initiative, r) < 0;
        });
        if (at < 0) at = v.order.length;
        v.order.splice(at, 0, e.unit.id);
      }
      break;
    case 'unit_removed':
      v.units = v.units.filter((u) => u.id !== e.unit);
      v.order = v.order.filter((unitId) => unitId !== e.unit);
      v.initiative = v.initiative.filter((i) => i.unit !== e.unit);
      if (v.current === e.unit) v.current = null;
      break;
    case 'initiative_rolled':
      v.initiative = e.rolls;
      v.order = e.order;
      v.phase = 'battle';
      break;
    case 'turn_started':
      v.current = e.unit;
      v.round = e.round;
      v.moved = 0;
      v.attacked = false;
      v.turnEndsAt = (v.turnSeconds ?? 0) > 0 ? e.at + (v.turnSeconds ?? 0) * 1000 : null;
      break;
    case 'moved':
      setUnit(e.unit, { x: e.to.x, y: e.to.y });
      v.moved += e.cost;
      break;
    case 'attacked':
      setUnit(e.target, { hp: e.hp });
      v.attacked = true;
      break;
    case 'encounter_won':
      v.phase = 'over';
      v.winner = e.side;
      v.result = e;
      v.current = null;
      v.turnEndsAt = null;
      break;
    case 'encounter_reset':
      // A rematch: the same players, every unit back at its start; initiative_rolled and turn_started follow.
      v.units = Array.isArray(e.units) ? e.units : v.units;
      v.encounter = e.encounter;
      v.phase = 'battle';
      v.winner = null;
      v.result = null;
      v.current = null;
      v.order = [];
      v.initiative = [];
      v.moved = 0;
      v.attacked = false;
      break;
    case 'chat':
      v.chat = [...(view.chat || []), { action: e.action, player: e.player, name: e.name, text: e.text, at: e.at }]
        .slice(-50);
      return { ...v, log: view.log }; // a chat line is not part of the combat log
    case 'encounter_closed':
      v.closed = e.reason;
      v.turnEndsAt = null;
      break;
    case 'turn_ended':
      break; // only a log line: the turn_started after it moves the turn on
    default:
      return view; // an event this client does not know changes nothing it shows
  }
  if (e.type !== 'encounter_created') v.log = [...(view.log || []), e].slice(-LOG_LIMIT);
  return v;
}

/**
 * The attack that won the encounter, in words ("Blue Knight's attack on Red Rogue: 18 (d20 12 + 6) for 7 damage"),
 * or null when something else decided it.
 * @param {TacticsView} view
 * @param {Record<string, any>|null|undefined} result  the `encounter_won` event (the view's `result`)
 * @returns {string|null}
 */
export function decisiveText(view, result) {
  const d = result && result.decisive;
  if (!d) return null;
  const bonus = Number.isFinite(d.total) && Number.isFinite(d.roll) ? d.total - d.roll : null;
  return `${nameOfUnit(view, d.unit)}’s attack on ${nameOfUnit(view, d.target)}: ${d.total}`
    + `${bonus === null ? '' : ` (d20 ${d.roll} ${signed(bonus)})`}${d.critical ? ', a critical hit,' : ''}`
    + ` for ${d.damage} damage`;
}

/** @param {TacticsView} view @param {string} unitId */
const nameOfUnit = (view, unitId) => unitById(view, unitId)?.name ?? unitId;
/** @param {TacticsView} view @param {string} player */
const nameOfPlayer = (view, player) => view.players.find((p) => p.id === player)?.name || 'A player';
/** @param {number} n */
const signed = (n) => (n < 0 ? `− ${-n}` : `+ ${n}`);

/**
 * @param {{formula: string, terms: {dice: {value: number, kept: boolean}[]}[], modifier: number}|null|undefined} result
 */
function diceText(result) {
  if (!result) return '';
  const dice = result.terms.flatMap((t) => t.dice.filter((d) => d.kept).map((d) => d.value));
  return `${result.formula}: ${dice.join(' + ')}${result.modifier ? ` ${signed(result.modifier)}` : ''}`;
}

/**
 * One combat-log line for an event, in words with every number.
 * @param {TacticsView} view
 * @param {Record<string, any>} e
 * @returns {string}
 */
export function logText(view, e) {
  /** @param {string} unitId */
  const unit = (unitId) => nameOfUnit(view, unitId);
  switch (e.type) {
    case 'encounter_created': return `${e.host.name} opened the encounter (${e.scenario.name}).`;
    case 'player_joined': return `${e.player.name} joined.`;
    case 'player_left': return `${nameOfPlayer(view, e.player)} left.`;
    case 'player_kicked': return `${nameOfPlayer(view, e.player)} was removed by the host.`;
    case 'unit_assigned': return e.player ? `${nameOfPlayer(view, e.player)} commands ${unit(e.unit)}.`
      : `${unit(e.unit)} is played by the host.`;
    case 'unit_added': return `The host added ${e.unit.name} (${e.unit.side}) at (${e.unit.x},${e.unit.y})`
      + (e.initiative ? `, initiative d20 ${e.initiative.roll} ${signed(e.initiative.modifier)} = ${e.initiative.total}.` : '.');
    case 'unit_removed': return `The host removed ${unit(e.unit)}.`;
    case 'initiative_rolled': return `Initiative: ${e.order.map((/** @type {string} */ unitId) => {
      const r = e.rolls.find((/** @type {InitiativeRoll} */ i) => i.unit === unitId);
      return `${unit(unitId)} ${r.total} (d20 ${r.roll} ${signed(r.modifier)})`;
    }).join(', ')}.`;
    case 'turn_started': return `Round ${e.round}: ${unit(e.unit)}’s turn.`;
    case 'moved': return `${unit(e.unit)} moved to (${e.to.x},${e.to.y}) for ${e.cost} movement.`;
    case 'attacked': {
      const head = `${unit(e.unit)} attacks ${unit(e.target)}: d20 ${e.roll} ${signed(e.bonus)} = ${e.total} vs AC ${e.ac}`;
      if (!e.hit) return `${head}, miss${e.roll === 1 ? ' (natural 1)' : ''}.`;
      const dice = [diceText(e.dice), e.extra ? `critical extra ${diceText(e.extra)}` : ''].filter(Boolean).join('; ');
      return `${head}, ${e.critical ? 'CRITICAL HIT' : 'hit'} for ${e.damage} damage (${dice}); `
        + `${unit(e.target)} ${e.down ? 'is down!' : `has ${e.hp} hp left.`}`;
    }
    case 'encounter_reset': return `Rematch: encounter ${e.encounter}, every unit back where it started.`;
    case 'turn_ended': return /** @type {Record<string, string>} */ ({
      ended: `${unit(e.unit)} ended its turn.`,
      skipped: `The host skipped ${unit(e.unit)}’s turn.`,
      timeout: `${unit(e.unit)} ran out of time.`,
    })[e.reason] || `${unit(e.unit)}’s turn ended.`;
    case 'encounter_won': return `${e.side ? `${capitalize(e.side)} wins` : 'Nobody stands'}: the encounter is over.`;
    case 'encounter_closed': return /** @type {Record<string, string>} */ ({
      ended: 'The host ended the encounter.',
      host_left: 'The host left, so the encounter closed.',
      expired: 'Nobody acted for a long time, so the encounter closed.',
    })[e.reason] || 'The encounter closed.';
    default: return '';
  }
}

/** @param {string} s */
export function capitalize(s) {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/**
 * A stable colour slot per side (the first side seen is 0, the next 1, …, six in all), e.g. for CSS classes.
 * @param {TacticsView} view
 * @param {string} side
 */
export function sideIndex(view, side) {
  /** @type {string[]} */
  const sides = [];
  for (const u of view.units) if (!sides.includes(u.side)) sides.push(u.side);
  const i = sides.indexOf(side);
  return i < 0 ? 0 : i % 6;
}

// ---------------------------------------------------------------- actions (they send through a Session)

/**
 * What the tactics helpers need of a Session (see ../session.js).
 * @typedef {object} TacticsSession
 * @property {(body: Record<string, any>, options?: {id?: string, timeoutMs?: number}) => Promise<unknown>} act
 */

/** Takes a unit (before the start). @param {TacticsSession} s @param {string} unit */
export const claim = (s, unit) => s.act({ type: 'claim', unit });
/** @param {TacticsSession} s @param {string} unit */
export const release = (s, unit) => s.act({ type: 'release', unit });
/** The host hands a unit to a player (null: back to the host). @param {TacticsSession} s @param {string} unit @param {string|null} player */
export const assign = (s, unit, player) => s.act({ type: 'assign', unit, player });
/** The host adds a unit. @param {TacticsSession} s @param {Omit<Unit, 'id'|'maxHp'|'owner'>} unit */
export const addUnit = (s, unit) => s.act({ type: 'add_unit', unit });
/** @param {TacticsSession} s @param {string} unit */
export const removeUnit = (s, unit) => s.act({ type: 'remove_unit', unit });
/** The host starts: initiative is rolled. @param {TacticsSession} s */
export const start = (s) => s.act({ type: 'start' });
/** Moves the current unit (or `unit`) to a cell; the server finds the path. @param {TacticsSession} s @param {Cell} to @param {string} [unit] */
export const move = (s, to, unit) => s.act(unit ? { type: 'move', unit, x: to.x, y: to.y } : { type: 'move', x: to.x, y: to.y });
/** @param {TacticsSession} s @param {string} target @param {string} [unit] */
export const attack = (s, target, unit) => s.act(unit ? { type: 'attack', unit, target } : { type: 'attack', target });
/** @param {TacticsSession} s */
export const endTurn = (s) => s.act({ type: 'end_turn' });
/** The host skips the current unit's turn. @param {TacticsSession} s */
export const skipTurn = (s) => s.act({ type: 'skip_turn' });
/** The host removes a player, who cannot come back. @param {TacticsSession} s @param {string} player */
export const kick = (s, player) => s.act({ type: 'kick', player });
/** Once the encounter is won: the same players fight it again from the start. @param {TacticsSession} s */
export const rematch = (s) => s.act({ type: 'rematch' });
/** A line of table talk (1–300 characters of one line). @param {TacticsSession} s @param {string} text */
export const chat = (s, text) => s.act({ type: 'chat', text });

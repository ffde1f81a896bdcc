// The tactics game's pure helpers (docs/protocol.md, Tactics): the view folded forward by events, movement as the
// server computes it (for highlighting; the server decides), and the combat log in words. No DOM here, so node
// tests it without a browser.

export const WALL = '#';
export const DIFFICULT = '~';
export const LOG_LIMIT = 100;
const STEPS = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]];

export const chebyshev = (a, b) => Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y));

export function unitById(view, id) {
  return (view.units || []).find((u) => u.id === id) || null;
}

export const isDown = (u) => u.hp <= 0;

/** Who plays a unit: its owner, else the host. */
export const controller = (view, u) => u.owner || view.host;

function cell(view, x, y) {
  return view.rows[y][x];
}

function inside(view, x, y) {
  return x >= 0 && y >= 0 && x < view.width && y < view.height;
}

/**
 * The cells `unit` may end a move on with `budget` movement left: Map "x,y" -> cost. 8-way; entering difficult
 * terrain costs 2; no cutting a wall's corner; enemies block; allies may be passed but not stopped on.
 */
export function reachable(view, unit, budget) {
  const w = view.width;
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
    const [c, x, y] = frontier.shift();
    if (c > cost.get(`${x},${y}`)) continue;
    for (const [dx, dy] of STEPS) {
      const nx = x + dx;
      const ny = y + dy;
      const key = `${nx},${ny}`;
      if (!inside(view, nx, ny) || cell(view, nx, ny) === WALL || enemy.has(key)) continue;
      if (dx && dy && (cell(view, nx, y) === WALL || cell(view, x, ny) === WALL)) continue;
      const next = c + (cell(view, nx, ny) === DIFFICULT ? 2 : 1);
      if (next <= budget && next < (cost.has(key) ? cost.get(key) : Infinity)) {
        cost.set(key, next);
        frontier.push([next, nx, ny]);
      }
    }
  }
  const cells = new Map();
  for (const [key, c] of cost) if (c > 0 && !standing.has(key)) cells.set(key, c);
  return cells;
}

/** Enemies `unit` can attack from where it stands. */
export function targets(view, unit) {
  return view.units.filter((u) => !isDown(u) && u.side !== unit.side && chebyshev(u, unit) <= unit.range);
}

const byInitiative = (a, b) => b.total - a.total || b.modifier - a.modifier;

/** The view after one event: the same fold the server does (TacticsRules.apply), on the fields a view has. */
export function fold(view, e) {
  const v = {
    ...view,
    units: [...view.units],
    players: [...view.players],
    order: [...view.order],
    initiative: [...view.initiative],
  };
  const setUnit = (id, change) => {
    v.units = v.units.map((u) => (u.id === id ? { ...u, ...change } : u));
  };
  switch (e.type) {
    case 'player_joined':
      if (!v.players.some((p) => p.id === e.player.id)) v.players.push({ ...e.player, host: false });
      break;
    case 'player_left':
    case 'player_kicked':
      v.players = v.players.filter((p) => p.id !== e.player);
      v.units = v.units.map((u) => (u.owner === e.player ? { ...u, owner: null } : u));
      break;
    case 'unit_assigned':
      setUnit(e.unit, { owner: e.player || null });
      break;
    case 'unit_added':
      v.units.push(e.unit);
      if (e.initiative) {
        v.initiative.push(e.initiative);
        const rollOf = (id) => v.initiative.find((i) => i.unit === id);
        let at = v.order.findIndex((id) => rollOf(id) && byInitiative(e.initiative, rollOf(id)) < 0);
        if (at < 0) at = v.order.length;
        v.order.splice(at, 0, e.unit.id);
      }
      break;
    case 'unit_removed':
      v.units = v.units.filter((u) => u.id !== e.unit);
      v.order = v.order.filter((id) => id !== e.unit);
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
      v.turnEndsAt = v.turnSeconds > 0 ? e.at + v.turnSeconds * 1000 : null;
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
      v.current = null;
      v.turnEndsAt = null;
      break;
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

const nameOfUnit = (view, id) => (unitById(view, id) ? unitById(view, id).name : id);
const nameOfPlayer = (view, id) => (view.players.find((p) => p.id === id) || {}).name || 'A player';
const signed = (n) => (n < 0 ? `− ${-n}` : `+ ${n}`);

function diceText(result) {
  if (!result) return '';
  const dice = result.terms.flatMap((t) => t.dice.filter((d) => d.kept).map((d) => d.value));
  return `${result.formula}: ${dice.join(' + ')}${result.modifier ? ` ${signed(result.modifier)}` : ''}`;
}

/** One combat-log line for an event, in words with every number. */
export function logText(view, e) {
  const unit = (id) => nameOfUnit(view, id);
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
    case 'initiative_rolled': return `Initiative: ${e.order.map((id) => {
      const r = e.rolls.find((i) => i.unit === id);
      return `${unit(id)} ${r.total} (d20 ${r.roll} ${signed(r.modifier)})`;
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
    case 'turn_ended': return {
      ended: `${unit(e.unit)} ended its turn.`,
      skipped: `The host skipped ${unit(e.unit)}’s turn.`,
      timeout: `${unit(e.unit)} ran out of time.`,
    }[e.reason] || `${unit(e.unit)}’s turn ended.`;
    case 'encounter_won': return `${e.side ? `${capitalize(e.side)} wins` : 'Nobody stands'}: the encounter is over.`;
    case 'encounter_closed': return {
      ended: 'The host ended the encounter.',
      host_left: 'The host left, so the encounter closed.',
      expired: 'Nobody acted for a long time, so the encounter closed.',
    }[e.reason] || 'The encounter closed.';
    default: return '';
  }
}

export function capitalize(s) {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/** A stable colour slot per side (the first side seen is 0, the next 1, …), for CSS classes. */
export function sideIndex(view, side) {
  const sides = [];
  for (const u of view.units) if (!sides.includes(u.side)) sides.push(u.side);
  const i = sides.indexOf(side);
  return i < 0 ? 0 : i % 6;
}

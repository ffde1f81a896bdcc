// The dice room (docs/protocol.md, "Dice room"): its state folded from the `joined` view and the events after it,
// the same fold for the web client and for bots, plus the room's actions. Pure, apart from the action helpers at
// the end, which send through a Session.

import { newId } from '../ids.js';

export const id = 'dice';

/** A DC is a whole number in this range (`set_dc`). */
export const DC = Object.freeze({ min: 1, max: 30 });
/** A roll may ask for advantage or disadvantage on a single d20. */
export const ADVANTAGE = Object.freeze(['advantage', 'disadvantage']);
/** The room warns this long before it expires (its `room_expiring` events come 180 s and 30 s before). */
export const WARNING_MS = 180_000;
/** The DM's grace is 60 s by default (configurable): bound what an odd view can make a countdown show. */
export const GRACE_MAX_MS = 5 * 60_000;
/** Rolls kept in the state, paged history included (the server keeps 500). */
export const ROLL_LIMIT = 1000;
/** Rolls per `history` page unless asked otherwise (the server allows 1–100). */
export const HISTORY_PAGE = 50;
/** Events that are activity: the server restarts the room's expiry clock on each of them. */
export const ACTIVITY = Object.freeze(['player_joined', 'player_left', 'player_kicked', 'rolled', 'roll_revealed',
  'dc_set', 'dc_cleared', 'mode_changed', 'chat', 'admin_changed']);
/** Who sees a roll whole (docs/protocol.md, Roll modes): everyone, its roller and the DM, its roller alone, the DM
 * alone until revealed. */
export const ROLL_MODES = Object.freeze(['public', 'dm', 'self', 'secret']);
/** Chat lines kept in the state (the view holds the newest 50). */
export const CHAT_LIMIT = 200;
/** A chat line is 1–300 characters; a roll's label 1–40. */
export const CHAT_MAX = 300;
export const LABEL_MAX = 40;

/**
 * @typedef {object} Die
 * @property {number} value
 * @property {boolean} kept
 * @property {boolean} exploded
 */

/**
 * @typedef {object} Term
 * @property {1|-1} sign
 * @property {number} count
 * @property {number} sides
 * @property {string} notation
 * @property {Die[]} dice
 * @property {number} subtotal
 */

/**
 * A roll as this player may see it: a hidden roll reaches everyone but the DM without formula, terms or total
 * until it is revealed.
 * @typedef {object} Roll
 * @property {string} id        16 URL-safe characters; names the roll's permalink
 * @property {number} [number]  its place in the room's sequence of rolls
 * @property {string} [action]  `<player>:<client action id>` of the action that made it
 * @property {string} player
 * @property {string} name
 * @property {number} at        epoch ms
 * @property {boolean} hidden
 * @property {string} [formula]
 * @property {Term[]} [terms]
 * @property {number} [modifier]
 * @property {number} [total]
 * @property {number} [dc]
 * @property {boolean} [passed]
 * @property {number} [revealedAt]
 * @property {'public'|'dm'|'self'|'secret'} [mode]  who sees it whole (absent on old rolls: read hidden as secret)
 * @property {string} [label]   what the roll is for ("Stealth")
 * @property {'advantage'|'disadvantage'} [advantage]  the player's intent; `formula` is what they asked for
 */

/** @typedef {{action?: string, player: string, name: string, text?: string, at: number}} ChatLine */

/** @typedef {{id: string, name: string, connected: boolean}} DicePlayer */
/** @typedef {{kind: string, by: string, at: number}} ModeChange */

/**
 * The room as this player sees it. Times are on the server's clock (epoch ms): subtract the session's
 * `clockOffset` to count them down on this machine's clock.
 * @typedef {object} DiceState
 * @property {string} session
 * @property {string} code
 * @property {string|null} creator   the room's admin now (may kick; may make an open room DM-led): its creator,
 *           or whoever it passed to when the creator left an open room
 * @property {ChatLine[]} chat       oldest first
 * @property {'open'|'dm-led'} mode
 * @property {string|null} dm
 * @property {number|null} dc
 * @property {DicePlayer[]} players  in joining order
 * @property {Roll[]} rolls          oldest first, at most ROLL_LIMIT
 * @property {ModeChange[]} changes
 * @property {boolean} hasOlder      whether older rolls can be paged in (`history`)
 * @property {{until: number}|null} expiring  the room closes then unless there is activity
 * @property {{player: string, until: number}|null} grace  the DM is offline: the room closes then unless they return
 * @property {string|null} closed    why the room closed (`expired`, `dm_left`, `ended`), or null while open
 * @property {Record<string, string>} names  every player id seen -> their last known name (for lines about players
 *           who have left)
 */

/**
 * The state from a `joined` message. A fresh view of the same session after a reconnect holds only the newest
 * rolls: the older ones `previous` had paged in stay when the two overlap (so nothing between them is missing).
 * @param {{session: string, code?: string, seq?: number, view?: any, serverTime?: number}} joined
 * @param {DiceState|null} [previous]
 * @returns {DiceState}
 */
export function init(joined, previous = null) {
  const view = joined.view && typeof joined.view === 'object' ? joined.view : {};
  const rolls = (Array.isArray(view.rolls) ? view.rolls : []).filter(isRoll);
  const historySize = Number.isFinite(view.historySize) ? view.historySize : rolls.length;
  const same = previous && previous.session === joined.session ? previous : null;
  /** @type {DiceState} */
  const state = {
    session: joined.session,
    code: joined.code || view.code || '',
    creator: typeof view.admin === 'string' ? view.admin : typeof view.creator === 'string' ? view.creator : null,
    mode: view.mode === 'dm-led' ? 'dm-led' : 'open',
    dm: typeof view.dm === 'string' && view.dm ? view.dm : null,
    dc: Number.isFinite(view.dc) ? view.dc : null,
    players: (Array.isArray(view.players) ? view.players : []).filter((/** @type {any} */ p) => p && p.id)
      .map((/** @type {DicePlayer} */ p) => ({ ...p, connected: p.connected !== false })),
    rolls,
    changes: Array.isArray(view.changes) ? view.changes : [],
    hasOlder: historySize > rolls.length,
    expiring: null,
    grace: null,
    closed: typeof view.closed === 'string' && view.closed ? view.closed : null,
    names: { ...(same ? same.names : {}) },
    chat: (Array.isArray(view.chat) ? view.chat : []).filter(isChat),
  };
  for (const p of state.players) state.names[p.id] = p.name;
  // The view's deadlines against the time it was made: read on the server's clock, they need no local time.
  const serverNow = Number.isFinite(joined.serverTime) ? /** @type {number} */ (joined.serverTime) : Date.now();
  const left = Number(view.expiresAt) - serverNow;
  // Joined inside the warning window (say, after a reconnect): the warning event itself is in the past.
  if (!state.closed && Number.isFinite(left) && left > 0 && left <= WARNING_MS) state.expiring = { until: view.expiresAt };
  const away = Number(view.dmAwayUntil) - serverNow;
  if (!state.closed && state.dm && Number.isFinite(away)) {
    state.grace = { player: state.dm, until: serverNow + Math.min(Math.max(away, 0), GRACE_MAX_MS) };
  }
  if (same) keepOlderRolls(same, state);
  return state;
}

/** @param {any} c @returns {c is ChatLine} */
function isChat(c) {
  return Boolean(c && typeof c.player === 'string');
}

/** @param {any} r @returns {r is Roll} */
function isRoll(r) {
  return Boolean(r && typeof r.id === 'string' && r.id);
}

/**
 * @param {DiceState} previous
 * @param {DiceState} state  changed in place
 */
function keepOlderRolls(previous, state) {
  const first = state.rolls[0];
  if (!first) return;
  const at = previous.rolls.findIndex((r) => r.id === first.id);
  if (at <= 0) return;
  state.rolls = [...previous.rolls.slice(0, at), ...state.rolls];
  state.hasOlder = previous.hasOlder;
}

/**
 * The state after one event (its body). Unknown events change nothing. Never changes `state` itself.
 * @param {DiceState} state
 * @param {Record<string, any>} e the event's body
 * @returns {DiceState}
 */
export function fold(state, e) {
  if (!e || typeof e.type !== 'string') return state;
  const s = { ...state };
  if (ACTIVITY.includes(e.type) && s.expiring) s.expiring = null;
  switch (e.type) {
    case 'player_joined':
      if (e.player && e.player.id) {
        const player = { connected: true, ...e.player };
        const at = s.players.findIndex((p) => p.id === player.id);
        s.players = at < 0 ? [...s.players, player] : s.players.map((p, i) => (i === at ? player : p));
        s.names = { ...s.names, [player.id]: player.name };
      }
      break;
    case 'player_left':
      s.players = s.players.filter((p) => p.id !== e.player);
      break;
    case 'player_kicked':
      s.players = s.players.filter((p) => p.id !== e.player);
      s.chat = s.chat.filter((c) => c.player !== e.player); // a removed player's lines go with them
      break;
    case 'admin_changed':
      if (typeof e.player === 'string') s.creator = e.player;
      break;
    case 'chat':
      if (isChat(e) && !(e.action && s.chat.some((c) => c.action === e.action))) {
        const line = { action: e.action, player: e.player, name: e.name, text: e.text, at: e.at };
        s.chat = [...s.chat, line].slice(-CHAT_LIMIT);
      }
      break;
    case 'presence':
      s.players = s.players.map((p) => (p.id === e.player ? { ...p, connected: Boolean(e.connected) } : p));
      if (e.connected) {
        if (s.grace && s.grace.player === e.player) s.grace = null;
      } else if (Number.isFinite(e.graceUntil)) {
        const at = Number.isFinite(e.at) ? e.at : e.graceUntil;
        s.grace = { player: e.player, until: Math.min(e.graceUntil, at + GRACE_MAX_MS) };
      }
      break;
    case 'rolled':
      if (isRoll(e.roll) && !s.rolls.some((r) => r.id === e.roll.id)) {
        s.rolls = trim(s, [...s.rolls, e.roll]);
      }
      break;
    case 'roll_revealed': {
      const detail = e.detail && e.detail.id ? e.detail : null;
      const rollId = detail ? detail.id : e.roll;
      s.rolls = s.rolls.map((r) => (r.id === rollId ? (detail || { ...r, revealedAt: e.at }) : r));
      break;
    }
    case 'dc_set':
      s.dc = Number.isFinite(e.dc) ? e.dc : null;
      break;
    case 'dc_cleared':
      s.dc = null;
      break;
    case 'mode_changed':
      s.mode = e.mode === 'dm-led' ? 'dm-led' : 'open';
      s.dm = s.mode === 'dm-led' ? s.creator : null;
      s.changes = [...s.changes, { kind: e.mode, by: e.by, at: e.at }];
      break;
    case 'room_expiring': {
      const until = Number.isFinite(e.expiresAt) ? e.expiresAt : Number(e.at) + Number(e.seconds) * 1000;
      if (Number.isFinite(until)) s.expiring = { until };
      break;
    }
    case 'room_closed':
      s.closed = typeof e.reason === 'string' && e.reason ? e.reason : 'closed';
      s.expiring = null;
      s.grace = null;
      break;
    default:
      return state; // room_created, or an event type this client does not know
  }
  return s;
}

/**
 * @param {DiceState} s
 * @param {Roll[]} rolls
 */
function trim(s, rolls) {
  if (rolls.length <= ROLL_LIMIT) return rolls;
  s.hasOlder = true;
  return rolls.slice(rolls.length - ROLL_LIMIT);
}

/**
 * The state with a page of older rolls (a `history` result, oldest first) before the ones it has.
 * @param {DiceState} state
 * @param {{rolls?: Roll[], more?: boolean}} page
 * @returns {DiceState}
 */
export function withHistory(state, page) {
  const known = new Set(state.rolls.map((r) => r.id));
  const older = (Array.isArray(page.rolls) ? page.rolls : []).filter((r) => isRoll(r) && !known.has(r.id));
  const s = { ...state, hasOlder: Boolean(page.more) };
  s.rolls = trim(s, [...older, ...state.rolls]);
  return s;
}

/** Why the room closed, or null while it is open. @param {DiceState} state */
export function closed(state) {
  return state.closed;
}

/** Whether everyone may see the roll (and so it has a permalink): not hidden, or revealed. @param {Roll} roll */
export function isPublic(roll) {
  return !roll.hidden || Number.isFinite(roll.revealedAt);
}

/** Whether only some players see the roll whole (the DM's secret roll, a roll to the DM or to oneself). @param {Roll} roll */
export function modeOf(roll) {
  if (!roll.hidden) return 'public';
  return ROLL_MODES.includes(/** @type {any} */ (roll.mode)) ? /** @type {Roll['mode']} */ (roll.mode) : 'secret';
}

/** Whether `player` is the DM. @param {DiceState} state @param {string|null|undefined} player */
export const isDm = (state, player) => Boolean(player && state.dm === player);

/** Whether `player` is the room's admin (its creator). @param {DiceState} state @param {string|null|undefined} player */
export const isAdmin = (state, player) => Boolean(player && state.creator === player);

/** A player's name, also for one who has left. @param {DiceState} state @param {string} player */
export function nameOf(state, player) {
  return state.players.find((p) => p.id === player)?.name || state.names[player] || null;
}

// ---------------------------------------------------------------- actions (they send through a Session)

/**
 * What the dice helpers need of a Session (see ../session.js).
 * @typedef {object} DiceSession
 * @property {string} player
 * @property {DiceState} state
 * @property {(body: Record<string, any>, options?: {id?: string, timeoutMs?: number}) => Promise<unknown>} act
 * @property {(body: Record<string, any>, options?: {id?: string, timeoutMs?: number}) => Promise<any>} query
 * @property {<T>(pick: (state: any) => T | undefined | null | false, timeoutMs?: number) => Promise<T>} waitFor
 * @property {(change: (state: any) => any) => void} update
 */

/**
 * Rolls `formula` and resolves with the roll once it is in the room (as this player sees it: a DM's hidden roll
 * whole). Safe to retry: a reconnect re-sends it with the same id, and the room applies an id once.
 * @param {DiceSession} session
 * @param {string} formula e.g. `2d6+3`, `4d6kh3`, `d20`
 * @param {{hidden?: boolean, mode?: 'public'|'dm'|'self'|'secret', label?: string,
 *   advantage?: 'advantage'|'disadvantage'|'none'|null, id?: string, timeoutMs?: number}} [options]
 * @returns {Promise<Roll>}
 */
export async function roll(session, formula, options = {}) {
  const actionId = options.id || newId();
  /** @type {Record<string, any>} */
  const body = { type: 'roll', formula };
  if (options.hidden) body.hidden = true;
  if (options.mode && options.mode !== 'public') body.mode = options.mode;
  if (typeof options.label === 'string' && options.label.trim()) body.label = options.label.trim();
  if (options.advantage && options.advantage !== 'none') body.advantage = options.advantage;
  const key = `${session.player}:${actionId}`;
  /** @param {DiceState} state */
  const mine = (state) => state.rolls.find((r) => r.action === key);
  const arrived = session.waitFor(mine, options.timeoutMs);
  arrived.catch(() => {}); // the act's own error is the one to report
  await session.act(body, { id: actionId, timeoutMs: options.timeoutMs });
  return arrived;
}

/**
 * Older rolls than `before` (a roll id; default: the oldest in the state), oldest first, for this player alone.
 * @param {DiceSession} session
 * @param {{before?: string|null, limit?: number}} [options]
 * @returns {Promise<{rolls: Roll[], more: boolean}>}
 */
export function history(session, options = {}) {
  /** @type {Record<string, any>} */
  const body = { type: 'history', limit: options.limit ?? HISTORY_PAGE };
  const before = options.before === undefined ? session.state.rolls[0]?.id : options.before;
  if (before) body.before = before;
  return session.query(body);
}

/**
 * Pages older rolls into the state (before the oldest it has) and resolves with the page.
 * @param {DiceSession} session
 * @param {{limit?: number}} [options]
 * @returns {Promise<{rolls: Roll[], more: boolean}>}
 */
export async function loadOlder(session, options = {}) {
  const page = await history(session, { limit: options.limit });
  session.update((state) => withHistory(state, page));
  return page;
}

/** The DM shows a hidden roll to everyone. @param {DiceSession} session @param {string} rollId */
export const reveal = (session, rollId) => session.act({ type: 'reveal', roll: rollId });
/** The DM sets a DC (1–30) that later rolls pass or fail. @param {DiceSession} session @param {number} dc */
export const setDc = (session, dc) => session.act({ type: 'set_dc', dc });
/** @param {DiceSession} session */
export const clearDc = (session) => session.act({ type: 'clear_dc' });
/** The creator makes an open room DM-led (and becomes its DM). @param {DiceSession} session */
export const promote = (session) => session.act({ type: 'promote' });
/** A line of chat to everyone in the room (1–300 characters of one line). @param {DiceSession} session @param {string} text */
export const chat = (session, text) => session.act({ type: 'chat', text });
/** The admin removes a player, who cannot come back. @param {DiceSession} session @param {string} player */
export const kick = (session, player) => session.act({ type: 'kick', player });

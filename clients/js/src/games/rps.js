// Rock-paper-scissors (docs/protocol.md, "Rock-paper-scissors"; docs/games.md walks through it): the match folded
// from the `joined` view and the events after it, the same fold for the web page and for bots, plus its actions.
// Pure, apart from the action helpers at the end, which send through a Session. A choice of the open round reaches
// this player only if it is theirs: the others' arrive as `{player}` alone until `round_revealed` shows them all.

export const id = 'rps';

/** The three choices, in the order a page shows them. */
export const CHOICES = Object.freeze(['rock', 'paper', 'scissors']);

/** @typedef {'rock'|'paper'|'scissors'} Choice */
/** @typedef {{id: string, name: string}} RpsPlayer */
/** One player's pick in the open round: `choice` only when it is this player's own. */
/** @typedef {{player: string, choice?: Choice}} Pick */

/**
 * A revealed round. `choices[player]` is missing (or null) for a player whose time ran out before choosing.
 * @typedef {object} Round
 * @property {number} number
 * @property {Record<string, Choice|null>} choices
 * @property {string} [winner]      absent: a draw
 * @property {boolean} timedOut
 * @property {number} at
 */

/**
 * The match as this player sees it.
 * @typedef {object} RpsState
 * @property {string} session
 * @property {string} code
 * @property {string|null} host
 * @property {RpsPlayer[]} players          at most two, in joining order
 * @property {number} bestOf
 * @property {number} choiceSeconds       0: rounds have no time limit
 * @property {'waiting'|'playing'|'over'} phase
 * @property {number} round               the open round (0 before the first)
 * @property {number|null} deadline       when the open round's time runs out (server clock, epoch ms)
 * @property {Pick[]} chosen              who has chosen in the open round
 * @property {Round[]} rounds             this match's revealed rounds, oldest first
 * @property {Record<string, number>} score
 * @property {string|null} winner
 * @property {number} matches
 * @property {string|null} closed         `ended`, `expired` or `empty`; null while open
 */

/**
 * The state from a `joined` message.
 * @param {{session: string, code?: string, seq?: number, view?: any}} joined
 * @returns {RpsState}
 */
export function init(joined) {
  const v = joined.view && typeof joined.view === 'object' ? joined.view : {};
  return {
    session: joined.session,
    code: joined.code || v.code || '',
    host: typeof v.host === 'string' ? v.host : null,
    players: Array.isArray(v.players) ? v.players.filter((/** @type {any} */ p) => p && p.id) : [],
    bestOf: Number.isFinite(v.bestOf) ? v.bestOf : 3,
    choiceSeconds: Number.isFinite(v.choiceSeconds) ? v.choiceSeconds : 0,
    phase: v.phase === 'playing' || v.phase === 'over' ? v.phase : 'waiting',
    round: Number.isFinite(v.round) ? v.round : 0,
    deadline: Number.isFinite(v.deadline) ? v.deadline : null,
    chosen: Array.isArray(v.chosen) ? v.chosen : [],
    rounds: Array.isArray(v.rounds) ? v.rounds : [],
    score: v.score && typeof v.score === 'object' ? { ...v.score } : {},
    winner: typeof v.winner === 'string' ? v.winner : null,
    matches: Number.isFinite(v.matches) ? v.matches : 0,
    closed: typeof v.closed === 'string' && v.closed ? v.closed : null,
  };
}

/**
 * The state after one event (its body), as the server's `apply` folds it. Unknown events change nothing. Never
 * changes `state` itself.
 * @param {RpsState} state
 * @param {Record<string, any>} e
 * @returns {RpsState}
 */
export function fold(state, e) {
  switch (e.type) {
    case 'player_joined':
      if (!e.player || state.players.some((p) => p.id === e.player.id)) return state;
      return { ...state, players: [...state.players, e.player] };
    case 'player_left':
      // A match needs two: the one who stays waits for a new opponent, and the next match starts afresh.
      return {
        ...state, players: state.players.filter((p) => p.id !== e.player), phase: 'waiting', round: 0,
        deadline: null, chosen: [], rounds: [], score: {}, winner: null,
      };
    case 'round_started': {
      const fresh = e.round === 1;
      return {
        ...state,
        phase: 'playing',
        round: e.round,
        deadline: Number.isFinite(e.deadline) ? e.deadline : null,
        chosen: [],
        rounds: fresh ? [] : state.rounds,
        score: fresh ? {} : state.score,
        winner: fresh ? null : state.winner,
        matches: fresh ? state.matches + 1 : state.matches,
      };
    }
    case 'chose': {
      if (e.round !== state.round || state.chosen.some((p) => p.player === e.player)) return state;
      /** @type {Pick} */
      const pick = e.choice ? { player: e.player, choice: e.choice } : { player: e.player };
      return { ...state, chosen: [...state.chosen, pick] };
    }
    case 'round_revealed':
      return { ...state, rounds: [...state.rounds, e.round], score: { ...e.score }, chosen: [], deadline: null };
    case 'match_won':
      return { ...state, phase: 'over', winner: e.winner, score: { ...e.score }, deadline: null };
    case 'match_closed':
      return { ...state, closed: e.reason || 'ended', deadline: null };
    default:
      return state;
  }
}

/** @param {RpsState} state @returns {string|null} */
export function closed(state) {
  return state.closed;
}

/** This player's own choice in the open round, if made. @param {RpsState} state @param {string} player */
export function myChoice(state, player) {
  const mine = state.chosen.find((p) => p.player === player);
  return mine && mine.choice ? mine.choice : null;
}

/** Whether `player` has chosen in the open round (anyone may know that much). @param {RpsState} state @param {string} player */
export const hasChosen = (state, player) => state.chosen.some((p) => p.player === player);

/** The other player, if any. @param {RpsState} state @param {string} player @returns {RpsPlayer|null} */
export function opponent(state, player) {
  return state.players.find((p) => p.id !== player) || null;
}

/** Rounds a player must win to take the match. @param {RpsState} state */
export const toWin = (state) => Math.floor(state.bestOf / 2) + 1;

/**
 * A round in words, from `player`'s side: "You won: rock beats scissors", "Draw: paper and paper".
 * @param {RpsState} state @param {Round} round @param {string} player
 */
export function roundText(state, round, player) {
  const name = (/** @type {string} */ id) => (id === player ? 'You' : (state.players.find((p) => p.id === id)?.name || 'They'));
  // A player who did not choose in time may be missing from `choices`: the match's players fill in.
  const [a, b] = [...new Set([...Object.keys(round.choices), ...state.players.map((p) => p.id)])];
  const ca = round.choices[a] || null;
  const cb = round.choices[b] || null;
  if (!round.winner) return ca || cb ? `Draw: ${ca} and ${cb}` : 'Draw: nobody chose in time';
  const loser = round.winner === a ? b : a;
  const w = round.choices[round.winner];
  const l = round.choices[loser] || null;
  const how = l ? `${w} beats ${l}` : `${name(loser)} did not choose in time`;
  return `${name(round.winner)} won round ${round.number}: ${how}`;
}

// --- actions ---

/** @typedef {{act: (body: Record<string, any>, options?: {id?: string, timeoutMs?: number}) => Promise<any>}} RpsSession */

/** Chooses for the open round. @param {RpsSession} s @param {Choice} choice */
export const choose = (s, choice) => s.act({ type: 'choose', choice });
/** Starts another match once one is won. @param {RpsSession} s */
export const rematch = (s) => s.act({ type: 'rematch' });

// The games this SDK folds, by the id `joined.game` names. A game the SDK does not know still works: its state is
// the last `joined` view, and its events arrive in order all the same (see `generic`).

import * as dice from './dice.js';
import * as rps from './rps.js';
import * as tactics from './tactics.js';

/**
 * How a game's state is made from a `joined` message and moved on by each event. `init` and `fold` are pure and
 * never change their arguments.
 * @template [S=any]
 * @typedef {object} GameFolds
 * @property {string} id
 * @property {(joined: {session: string, code?: string, game?: string, seq?: number, view?: any, serverTime?: number}, previous?: S|null) => S} init
 *           the state from a (fresh) view; `previous` is the state this view replaces, for the same session
 * @property {(state: S, event: Record<string, any>) => S} fold  the state after one event's body
 * @property {(state: S) => string|null} [closed]     why the session closed, or null while it is open
 */

/** A game without folds of its own: the state is the latest view; events change nothing in it. */
/** @type {GameFolds<any>} */
export const generic = Object.freeze({
  id: '*',
  init: (joined) => joined.view ?? null,
  fold: (state) => state,
  closed: (state) => (state && typeof state === 'object' && typeof state.closed === 'string' ? state.closed : null),
});

/** @type {Readonly<Record<string, GameFolds<any>>>} */
export const games = Object.freeze({ dice, rps, tactics });

/**
 * The folds of the game `id`, or `generic`.
 * @param {string} id
 * @param {Record<string, GameFolds<any>>} [registry]
 * @returns {GameFolds<any>}
 */
export function foldsOf(id, registry = games) {
  return Object.prototype.hasOwnProperty.call(registry, id) ? registry[id] : generic;
}

export { dice, rps, tactics };

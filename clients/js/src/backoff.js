// Exponential back-off for reconnecting: 0.5 s, 1 s, 2 s, … up to 10 s, each spread by a little jitter so that
// many clients dropped at once (a gateway restart) do not all come back in the same instant.

/**
 * @typedef {object} BackoffOptions
 * @property {number} [firstMs]  the first wait (500)
 * @property {number} [maxMs]    the longest wait (10 000)
 * @property {number} [jitter]   0..1: each wait is scaled by a random factor in [1 - jitter, 1] (0.2)
 */

export const BACKOFF_DEFAULTS = Object.freeze({ firstMs: 500, maxMs: 10_000, jitter: 0.2 });

/**
 * How long to wait before the next attempt, after `failures` failed attempts in a row (0 for the first retry).
 * @param {number} failures
 * @param {BackoffOptions} [options]
 * @param {() => number} [random] a number in [0, 1) (Math.random)
 * @returns {number} milliseconds, never more than maxMs
 */
export function backoffDelay(failures, options = {}, random = Math.random) {
  const { firstMs, maxMs, jitter } = { ...BACKOFF_DEFAULTS, ...options };
  const n = Math.max(0, Math.floor(failures));
  // 2 ** n grows past any maxMs long before it overflows; cap the exponent anyway.
  const base = Math.min(firstMs * 2 ** Math.min(n, 30), maxMs);
  const j = Math.min(Math.max(jitter, 0), 1);
  return Math.round(base * (1 - j * random()));
}

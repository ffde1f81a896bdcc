// Events in `seq` order, each once (docs/protocol.md: `seq` is gap-free per socket). Pure bookkeeping: the client
// offers what arrives (live, or brought by a resume) and takes what may be delivered now; a hole, which the server
// never leaves, shows as a gap.

/**
 * @template {{seq: number}} E
 */
export class Sequencer {
  /** @type {Map<number, E>} */
  #held = new Map();
  #seq;

  /** @param {number} seq the last seq already delivered (a `joined` view's seq) */
  constructor(seq) {
    this.#seq = seq;
  }

  /** The last seq delivered. */
  get seq() {
    return this.#seq;
  }

  /** How many events wait behind a gap. */
  get held() {
    return this.#held.size;
  }

  /**
   * Takes an event in. False when it is not new: at or below the last delivered seq, or already held.
   * @param {E} event
   */
  offer(event) {
    const { seq } = event;
    if (!Number.isSafeInteger(seq) || seq <= this.#seq || this.#held.has(seq)) return false;
    this.#held.set(seq, event);
    return true;
  }

  /**
   * The events that may be delivered now, in order (seq + 1, seq + 2, …, at most `limit`), removed from the held
   * ones; the last delivered seq moves on past them.
   * @param {number} [limit] deliver nothing past this seq
   * @returns {E[]}
   */
  take(limit = Infinity) {
    /** @type {E[]} */
    const out = [];
    while (this.#seq < limit) {
      const next = this.#held.get(this.#seq + 1);
      if (!next) break;
      this.#held.delete(this.#seq + 1);
      this.#seq += 1;
      out.push(next);
    }
    return out;
  }

  /**
   * The hole before the held events, when there is one: the seqs `after + 1 … until` are missing.
   * @returns {{after: number, until: number} | null}
   */
  gap() {
    if (this.#held.size === 0) return null;
    const first = Math.min(...this.#held.keys());
    return first > this.#seq + 1 ? { after: this.#seq, until: first - 1 } : null;
  }

  /**
   * Moves the last delivered seq to `seq` without delivering what lies between (a fresh view covers it); held
   * events at or below it are dropped. Never moves backwards.
   * @param {number} seq
   */
  skipTo(seq) {
    if (seq <= this.#seq) return;
    this.#seq = seq;
    for (const s of [...this.#held.keys()]) if (s <= seq) this.#held.delete(s);
  }
}

// A small event emitter that works the same in browsers and Node (no dependency on either's).

/**
 * @template {Record<string, any[]>} Events  event name -> the listener's arguments
 */
export class Emitter {
  /** @type {Map<keyof Events, Set<(...args: any[]) => void>>} */
  #listeners = new Map();

  /**
   * @template {keyof Events} K
   * @param {K} name
   * @param {(...args: Events[K]) => void} listener
   * @returns {() => void} call it to remove the listener
   */
  on(name, listener) {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener);
    return () => this.off(name, listener);
  }

  /**
   * @template {keyof Events} K
   * @param {K} name
   * @param {(...args: Events[K]) => void} listener
   */
  off(name, listener) {
    this.#listeners.get(name)?.delete(listener);
  }

  /**
   * The listener once, then removed.
   * @template {keyof Events} K
   * @param {K} name
   * @param {(...args: Events[K]) => void} listener
   * @returns {() => void}
   */
  once(name, listener) {
    /** @param {Events[K]} args */
    const wrapped = (...args) => {
      this.off(name, wrapped);
      listener(...args);
    };
    return this.on(name, wrapped);
  }

  /**
   * Calls every listener in the order they were added. A listener that throws does not stop the others (nor the
   * SDK): its error is rethrown on its own, outside this call, where the runtime reports it.
   * @template {keyof Events} K
   * @param {K} name
   * @param {Events[K]} args
   */
  emit(name, ...args) {
    const set = this.#listeners.get(name);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
    return true;
  }
}

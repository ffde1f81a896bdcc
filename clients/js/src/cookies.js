// The cookies the platform sets (rf_token, rf_refresh, rf_device), kept by hand where there is no browser to
// keep them (Node: fetch has no cookie jar). Browsers never use this: their cookies are HttpOnly.

/** @typedef {{value: string, path: string, expires: number}} StoredCookie */

export class CookieJar {
  /** @type {Map<string, StoredCookie>} */
  #cookies = new Map();
  #now;

  /** @param {() => number} [now] epoch ms (Date.now) */
  constructor(now = Date.now) {
    this.#now = now;
  }

  /**
   * Stores the cookies of `Set-Cookie` header values; `Max-Age=0` (or an `Expires` in the past) removes one.
   * @param {Iterable<string>} setCookies
   */
  store(setCookies) {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expires = Infinity;
      for (const attribute of attributes) {
        const [k, ...rest] = attribute.split('=');
        const key = k.trim().toLowerCase();
        const v = rest.join('=').trim();
        if (key === 'path' && v.startsWith('/')) path = v;
        else if (key === 'max-age' && /^-?\d+$/.test(v)) expires = this.#now() + Number(v) * 1000;
        else if (key === 'expires' && expires === Infinity) {
          const at = Date.parse(v);
          if (Number.isFinite(at)) expires = at;
        }
      }
      if (expires <= this.#now() || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path, expires });
    }
  }

  /**
   * A cookie's value while it lasts.
   * @param {string} name
   * @returns {string|undefined}
   */
  get(name) {
    const c = this.#cookies.get(name);
    if (!c) return undefined;
    if (c.expires <= this.#now()) {
      this.#cookies.delete(name);
      return undefined;
    }
    return c.value;
  }

  /**
   * The `Cookie` header a request to `path` carries (cookies whose Path is a prefix of it), or '' for none.
   * @param {string} path
   */
  header(path) {
    const parts = [];
    for (const [name, c] of this.#cookies) {
      if (c.expires <= this.#now()) continue;
      const scoped = path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`);
      if (scoped) parts.push(`${name}=${c.value}`);
    }
    return parts.join('; ');
  }

  /** @param {string} name */
  delete(name) {
    this.#cookies.delete(name);
  }

  clear() {
    this.#cookies.clear();
  }
}

// The platform over HTTP (docs/protocol.md, HTTP and REST): sign-in (guest, OIDC), the access token's refresh
// (once, on a 401), logout, and the REST resources (the session replay among them: a finished session's steps).
//
// In a browser the tokens are HttpOnly cookies this code never sees: requests go to the page's own origin and
// the browser sends them. Where there is no browser (Node), a CookieJar keeps them: requests carry
// `Authorization: Bearer <rf_token>` and the cookies scoped to their path (rf_refresh to /api/auth, rf_device).

import { CookieJar } from './cookies.js';
import { ClientErrorCodes, ErrorCodes, RuneForgeError, errorFromHttp } from './errors.js';

/** The access token cookie (docs/protocol.md, HTTP). */
export const TOKEN_COOKIE = 'rf_token';
/** The browser id cookie: a room bars a kicked browser by it, whatever token that browser gets next. */
export const DEVICE_COOKIE = 'rf_device';

/**
 * @typedef {object} Identity  who is signed in
 * @property {string} player     the player id (`g-…` for a guest)
 * @property {string} name       the display name
 * @property {number} [expiresAt] when the access token expires (epoch seconds)
 */

/**
 * @typedef {object} ReplayStep
 * @property {number} seq
 * @property {Record<string, any>} event  the event body as this player was (or would have been) sent it
 * @property {Record<string, any>} view   the session's view after it, as this player may see it
 */

/**
 * @typedef {object} ReplayPage
 * @property {string} session
 * @property {string} game
 * @property {ReplayStep[]} steps
 * @property {boolean} more  whether later steps exist: ask again with `after` = the last step's seq
 */

/** @typedef {(input: string, init?: RequestInit) => Promise<Response>} FetchLike */

/**
 * @typedef {object} HttpOptions
 * @property {string} [baseUrl]  the gateway, e.g. `http://localhost:8080` (a browser page: its own origin)
 * @property {FetchLike} [fetch] (globalThis.fetch)
 * @property {CookieJar|boolean} [cookies] keep the tokens here (default: only where there is no `document`, i.e.
 *           outside browsers); `true` makes a new jar
 */

/** Where the SDK runs in a page (whose cookies the browser keeps) rather than in Node. */
export const inBrowser = () => typeof document !== 'undefined' && typeof location !== 'undefined';

export class HttpClient {
  #base;
  /** @type {FetchLike} */
  #fetch;
  /** @type {CookieJar|null} */
  #jar;
  /** @type {Promise<boolean>|null} */
  #refreshing = null;

  /** @param {HttpOptions} [options] */
  constructor(options = {}) {
    const base = options.baseUrl ?? (inBrowser() ? location.origin : undefined);
    if (!base) throw new TypeError('baseUrl is required outside a browser page (e.g. http://localhost:8080)');
    this.#base = base.replace(/\/+$/, '');
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('no fetch here: pass options.fetch');
    this.#fetch = (input, init) => f(input, init); // unbound window.fetch throws "Illegal invocation"
    const cookies = options.cookies ?? !inBrowser();
    this.#jar = cookies instanceof CookieJar ? cookies : cookies ? new CookieJar() : null;
  }

  /** The gateway's base URL, without a trailing slash. */
  get baseUrl() {
    return this.#base;
  }

  /** The cookie jar (outside browsers), or null when the browser keeps the cookies. */
  get cookies() {
    return this.#jar;
  }

  /** The access token, where this SDK keeps it (outside browsers); undefined in a browser or when signed out. */
  get accessToken() {
    return this.#jar?.get(TOKEN_COOKIE);
  }

  /** The WebSocket URL: the base URL's scheme made ws/wss, path /ws. */
  get socketUrl() {
    return `${this.#base.replace(/^http/i, 'ws')}/ws`;
  }

  /**
   * Headers the WebSocket upgrade needs where the SDK keeps the tokens (Node): `Authorization: Bearer` and the
   * device cookie. Null in a browser, which sends its cookies itself (and cannot set headers on a WebSocket).
   * @returns {Record<string, string>|null}
   */
  socketHeaders() {
    if (!this.#jar) return null;
    /** @type {Record<string, string>} */
    const headers = {};
    const token = this.#jar.get(TOKEN_COOKIE);
    if (token) headers.Authorization = `Bearer ${token}`;
    const cookie = this.#jar.header('/ws');
    if (cookie) headers.Cookie = cookie;
    return headers;
  }

  /**
   * One HTTP request to the gateway, with the credentials this SDK keeps (outside browsers). No retry, no refresh.
   * @param {string} method
   * @param {string} path  starting with `/`
   * @param {{body?: unknown, headers?: Record<string, string>}} [init]
   * @returns {Promise<Response>}
   */
  async raw(method, path, init = {}) {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json', ...init.headers };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.#jar) {
      const token = this.#jar.get(TOKEN_COOKIE);
      if (token && !headers.Authorization) headers.Authorization = `Bearer ${token}`;
      const cookie = this.#jar.header(path.split('?')[0]);
      if (cookie) headers.Cookie = cookie;
    }
    let response;
    try {
      response = await this.#fetch(this.#base + path, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'manual',
      });
    } catch (e) {
      throw new RuneForgeError(ClientErrorCodes.NETWORK, 'Cannot reach the server. Try again.', { cause: e });
    }
    if (this.#jar) {
      const setCookies = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
      this.#jar.store(setCookies);
    }
    return response;
  }

  /**
   * A JSON request to the gateway: the parsed answer, or a RuneForgeError with the server's code. A 401 is met
   * with one refresh of the access token and one more try (unless `refresh` is false).
   * @template [T=any]
   * @param {string} method
   * @param {string} path
   * @param {{body?: unknown, headers?: Record<string, string>, refresh?: boolean}} [init]
   * @returns {Promise<T>}  the parsed body; undefined for a 204
   */
  async request(method, path, init = {}) {
    let response = await this.raw(method, path, init);
    if (response.status === 401 && init.refresh !== false) {
      if (await this.refresh()) response = await this.raw(method, path, init);
    }
    return /** @type {Promise<T>} */ (readBody(response));
  }

  /**
   * Signs in as a guest (a new player id unless this client already signed in before and keeps its cookies).
   * @param {string} name 1–20 letters, digits and spaces
   * @returns {Promise<Identity>}
   * @throws {RuneForgeError} INVALID_NAME, RATE_LIMITED, UNAVAILABLE, …
   */
  async signInAsGuest(name) {
    return readBody(await this.raw('POST', '/api/auth/guest', { body: { name } }));
  }

  /**
   * Who is signed in, or null when nobody is (no token, and the refresh token is gone too). An expired access
   * token is renewed once with the refresh token first, so a reconnecting socket finds a fresh one.
   * @returns {Promise<Identity|null>}
   * @throws {RuneForgeError} when the server cannot tell (UNAVAILABLE, NETWORK)
   */
  async currentPlayer() {
    let response = await this.raw('GET', '/api/auth/me');
    if (response.status === 401) {
      if (!(await this.refresh())) return null;
      response = await this.raw('GET', '/api/auth/me');
      if (response.status === 401) return null;
    }
    return readBody(response);
  }

  /**
   * Trades the refresh token for new tokens (both rotate). False when the sign-in is over. Calls made while one
   * is under way share it: a refresh token presented twice would revoke the whole sign-in.
   * @returns {Promise<boolean>}
   */
  refresh() {
    if (!this.#refreshing) {
      this.#refreshing = (async () => {
        try {
          const response = await this.raw('POST', '/api/auth/refresh');
          if (response.status === 401) return false;
          await readBody(response);
          return true;
        } finally {
          this.#refreshing = null;
        }
      })();
    }
    return this.#refreshing;
  }

  /**
   * Ends the sign-in: the refresh token is revoked and the cookies cleared (an access token already out lives on
   * until it expires, ≤ 15 min).
   * @throws {RuneForgeError} UNAVAILABLE (nothing revoked: try again)
   */
  async signOut() {
    const response = await this.raw('POST', '/api/auth/logout');
    if (!response.ok) await readBody(response);
    this.#jar?.delete(TOKEN_COOKIE);
    this.#jar?.delete('rf_refresh');
  }

  /** Where an OIDC sign-in starts (a browser navigates there; docs/protocol.md, `GET /api/auth/login`). */
  oidcLoginUrl() {
    return `${this.#base}/api/auth/login`;
  }

  /**
   * Signs in through the platform's OpenID Connect provider: the page navigates away and comes back signed in
   * (to `/`). A signed-in guest keeps their player id. Browsers only.
   */
  signInWithOidc() {
    if (!inBrowser()) throw new TypeError('OIDC sign-in is a browser redirect; outside a browser, sign in as a guest');
    location.assign(this.oidcLoginUrl());
  }

  /**
   * One page of a session's replay as this player may see it (GET /api/sessions/{id}/replay).
   * @param {string} session
   * @param {number|null} [after] only steps with a seq above this
   * @returns {Promise<ReplayPage>}
   */
  replay(session, after = null) {
    const query = after === null || after === undefined ? '' : `?after=${encodeURIComponent(String(after))}`;
    return this.request('GET', `/api/sessions/${encodeURIComponent(session)}/replay${query}`);
  }

  /**
   * Every step of a session's replay after `after`, following `more` page by page (at most `maxPages`).
   * @param {string} session
   * @param {{after?: number|null, maxPages?: number}} [options]
   * @returns {Promise<{game: string, steps: ReplayStep[]}>}
   */
  async replayAll(session, { after = null, maxPages = 100 } = {}) {
    /** @type {ReplayStep[]} */
    const steps = [];
    let game = '';
    let from = after;
    for (let page = 0; page < maxPages; page++) {
      const body = await this.replay(session, from);
      game = body.game || game;
      const got = Array.isArray(body.steps) ? body.steps : [];
      steps.push(...got);
      if (!body.more || got.length === 0) break;
      from = got[got.length - 1].seq;
    }
    return { game, steps };
  }
}

/**
 * The JSON body of an answer, or the RuneForgeError it stands for.
 * @param {Response} response
 * @returns {Promise<any>}
 */
async function readBody(response) {
  if (response.status === 204) return undefined;
  let body = null;
  const text = await response.text().catch(() => '');
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    if (response.status >= 300 && response.status < 400) {
      throw new RuneForgeError(`HTTP_${response.status}`, `The server redirected (${response.status}).`,
        { status: response.status });
    }
    throw errorFromHttp(response.status, body);
  }
  if (body === null && text) {
    throw new RuneForgeError(ErrorCodes.INTERNAL, 'The server answered something that is not JSON.',
      { status: response.status });
  }
  return body;
}

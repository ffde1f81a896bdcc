// The player's connection to Rune Forge (docs/protocol.md): one WebSocket, `hello` on every (re)connect with
// `resume` for the session it was in, pings, exponential back-off, and the session's events delivered exactly
// once and in `seq` order. The server answers a resume with `resumed` and exactly the events missed meanwhile
// (or a fresh `joined` view when it no longer keeps them all), and never lets a socket see a hole in the seqs;
// should one show all the same, the client resumes on a new socket. Requests (create, join, actions, queries,
// leave, ping) are promises that settle on the server's answer, as a RuneForgeError on a refusal; what the
// platform could not take (BUSY, UNAVAILABLE, a dropped socket) goes again with the same id, applied once.

import { backoffDelay } from './backoff.js';
import { Emitter } from './emitter.js';
import { ClientErrorCodes, ErrorCodes, RuneForgeError, errorFromFrame } from './errors.js';
import { foldsOf, games as builtInGames } from './games/index.js';
import { HttpClient, inBrowser } from './http.js';
import { isValidId, newId } from './ids.js';
import { Sequencer } from './sequencer.js';

/** The protocol version this SDK speaks (`hello {v}`); the package's major version follows it. */
export const PROTOCOL_VERSION = 1;

/** After `resumed`, how long the events it brought may take before the session counts as current anyway. */
const CATCH_UP_MS = 2_000;

/** Connection states (`client.state`, the `state` event). */
export const State = Object.freeze({
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  RECONNECTING: 'reconnecting',
  OFFLINE: 'offline',
});

/** @typedef {typeof State[keyof typeof State]} ConnectionState */

/**
 * What the SDK needs of a WebSocket: the browser's, or the `ws` package's (Node), or anything alike.
 * @typedef {object} WebSocketLike
 * @property {number} readyState
 * @property {(data: string) => void} send
 * @property {(code?: number, reason?: string) => void} close
 * @property {((event: any) => void) | null} onopen
 * @property {((event: any) => void) | null} onmessage
 * @property {((event: any) => void) | null} onclose
 * @property {((event: any) => void) | null} onerror
 */

/** @typedef {new (url: any, protocolsOrOptions?: any) => WebSocketLike} WebSocketConstructor */

/**
 * @typedef {object} ClientOptions
 * @property {string} [baseUrl]  the gateway, e.g. `http://localhost:8080` (default in a page: its own origin)
 * @property {import('./http.js').FetchLike} [fetch]  (globalThis.fetch)
 * @property {WebSocketConstructor} [WebSocket] (globalThis.WebSocket; Node 20 has none: pass the `ws` package's)
 * @property {import('./cookies.js').CookieJar|boolean} [cookies] keep the tokens in a jar (default: outside browsers)
 * @property {Record<string, import('./games/index.js').GameFolds<any>>} [games] the folds by game id (dice, tactics)
 * @property {number} [answerTimeoutMs]  how long a request waits for its answer each time it is sent (10 000)
 * @property {number} [maxRetries]       how often an action, query or join goes again after BUSY or UNAVAILABLE (5)
 * @property {import('./backoff.js').BackoffOptions} [retryBackoff] the waits before those retries (0.25 s doubling
 *           to 5 s, jitter 0.2), never shorter than the server's `retryMs`
 * @property {number} [maxInFlight]      requests on the socket at once (1: each goes when the one before it is
 *           answered, which keeps actions in order across retries; the gateway lets at most 32 wait)
 * @property {import('./backoff.js').BackoffOptions} [backoff] the waits before reconnecting
 * @property {number} [pingEveryMs]      a ping this often while connected (25 000; 0: never)
 * @property {number} [pongTimeoutMs]    a ping unanswered this long drops the socket (10 000)
 * @property {boolean} [watchNetwork]    in a browser: drop the socket on `offline`, retry on `online` (true)
 */

/**
 * One session event as delivered: `catchUp` is true for the events a resume brought (they happened while this
 * client was away: between `resumed` and the end of its answer).
 * @typedef {object} SessionEvent
 * @property {string} session
 * @property {number} seq
 * @property {Record<string, any>} body
 * @property {boolean} catchUp
 */

/**
 * The session's state is current again. `resume`: after a reconnect, either the server sent exactly the events
 * missed meanwhile (delivered before this `sync`, as `catchUp` events; no `missed`) or a fresh view replaced the
 * state; `view`: another `joined` replaced it (joining again, or the server could not fill a hole). `missed`
 * names the events `after + 1 … until` that were never delivered one by one: the view covers them.
 * @typedef {{reason: 'resume'|'view', missed?: {after: number, until: number}}} SyncInfo
 */

/**
 * How a session ended: `left` (this client left), `removed` (kicked), `closed` (the room closed), `gone` (after a
 * reconnect the server no longer has this player in it: `error` says why).
 * @typedef {{reason: string, error?: RuneForgeError}} EndInfo
 */

/**
 * @typedef {object} Joined  the `joined` message
 * @property {string} session
 * @property {string} code
 * @property {string} game
 * @property {number} seq
 * @property {any} view
 * @property {number} [serverTime]
 */

/**
 * A request waiting for its answer.
 * @typedef {object} Pending
 * @property {string} id
 * @property {'create'|'join'|'action'|'query'|'leave'} kind
 * @property {Record<string, any>} message
 * @property {Session|null} session
 * @property {(value: any) => void} resolve
 * @property {(error: RuneForgeError) => void} reject
 * @property {ReturnType<typeof setTimeout>|undefined} timer       when it gives up waiting for an answer
 * @property {ReturnType<typeof setTimeout>|undefined} retryTimer  while it waits to go again (BUSY, UNAVAILABLE)
 * @property {'waiting'|'sent'|'retrying'} status  `waiting` to be sent (the first time, or again after a drop),
 *           `sent` on socket `socket` and not answered, `retrying` after BUSY or UNAVAILABLE
 * @property {number} socket          the socket generation it was last sent on
 * @property {boolean} lost           the socket it was sent on dropped before its answer
 * @property {boolean} sentOnce       it was sent at least once (so it may have been applied)
 * @property {number} retries         how often it went again after BUSY or UNAVAILABLE
 * @property {number} timeoutMs
 * @property {string|null} accepted   create/join: the session the server accepted it for, before its `joined`
 */

/** @typedef {{state: [ConnectionState, {retryInMs?: number, rttMs?: number}], welcome: [{player: string, name: string}], joined: [Session], event: [SessionEvent, Session], sync: [SyncInfo, Session], syncing: [Session], left: [EndInfo, Session], error: [RuneForgeError], signedout: []}} ClientEvents */

/**
 * @extends {Emitter<ClientEvents>}
 */
export class RuneForgeClient extends Emitter {
  /** The HTTP side: sign-in, refresh, REST. */
  http;
  /** @type {Required<Omit<ClientOptions, 'baseUrl'|'fetch'|'WebSocket'|'cookies'|'backoff'|'retryBackoff'>> & {backoff: import('./backoff.js').BackoffOptions, retryBackoff: import('./backoff.js').BackoffOptions}} */
  #o;
  /** @type {WebSocketConstructor|undefined} */
  #WebSocket;
  /** @type {WebSocketLike|null} */
  #ws = null;
  #generation = 0;
  /** @type {ConnectionState} */
  #state = State.OFFLINE;
  #running = false;
  #everConnected = false;
  #failures = 0;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #retryTimer;
  /** @type {ReturnType<typeof setInterval>|undefined} */
  #pingTimer;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #resumeTimer;
  /** @type {{player: string, name: string}|null} */
  #me = null;
  /** @type {Session|null} */
  #session = null;
  /** @type {Map<string, Pending>} */
  #pending = new Map();
  /** @type {Map<number, {sent: number, resolve: (rtt: number) => void, reject: (e: RuneForgeError) => void, timer: ReturnType<typeof setTimeout>}>} */
  #pings = new Map();
  #lastPingT = 0;
  /** When the socket last said anything (Date.now()). */
  #lastHeard = 0;
  /** @type {{promise: Promise<{player: string, name: string}>, resolve: (w: {player: string, name: string}) => void, reject: (e: RuneForgeError) => void}|null} */
  #ready = null;
  /** @type {(() => void)|null} */
  #unwatch = null;
  /** Holes in the seqs since the last fresh view (the server should never leave one): the second asks for a view. */
  #holes = 0;
  /** Resumes refused for a passing reason (BUSY, UNAVAILABLE, …) in a row: each makes the next wait longer. */
  #resumeFailures = 0;

  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    super();
    this.http = new HttpClient({ baseUrl: options.baseUrl, fetch: options.fetch, cookies: options.cookies });
    this.#WebSocket = options.WebSocket ?? /** @type {any} */ (globalThis).WebSocket;
    this.#o = {
      games: options.games ?? builtInGames,
      answerTimeoutMs: options.answerTimeoutMs ?? 10_000,
      maxRetries: Math.max(0, options.maxRetries ?? 5),
      retryBackoff: options.retryBackoff ?? { firstMs: 250, maxMs: 5_000 },
      maxInFlight: Math.max(1, options.maxInFlight ?? 1),
      backoff: options.backoff ?? {},
      pingEveryMs: options.pingEveryMs ?? 25_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 10_000,
      watchNetwork: options.watchNetwork ?? true,
    };
  }

  // ---------------------------------------------------------------- sign-in (HTTP)

  /**
   * Signs in as a guest. @param {string} name 1–20 letters, digits and spaces
   * @returns {Promise<import('./http.js').Identity>}
   */
  async signInAsGuest(name) {
    const me = await this.http.signInAsGuest(name);
    this.#me = { player: me.player, name: me.name };
    return me;
  }

  /** Who is signed in (refreshing the access token once if it expired), or null. */
  async currentPlayer() {
    const me = await this.http.currentPlayer();
    if (me) this.#me = { player: me.player, name: me.name };
    return me;
  }

  /** Browser only: navigates to the OIDC provider and back (a guest keeps their player id). */
  signInWithOidc() {
    this.http.signInWithOidc();
  }

  /** Closes the connection and ends the sign-in (the session is left first when connected). */
  async signOut() {
    const session = this.#session;
    if (session && this.connected) {
      this.#sendFrame({ type: 'leave', id: newId(), session: session.id });
    }
    if (session) this.#end(session, { reason: 'left' }, false);
    this.close();
    this.#me = null;
    await this.http.signOut();
  }

  // ---------------------------------------------------------------- the connection

  /** The connection's state. */
  get state() {
    return this.#state;
  }

  /** Whether the socket is open and welcomed. */
  get connected() {
    return this.#state === State.CONNECTED;
  }

  /** Whether the client is connecting or connected (connect() called, close() not). */
  get running() {
    return this.#running;
  }

  /** The signed-in player `{player, name}` (from the sign-in or the last `welcome`), or null. */
  get me() {
    return this.#me;
  }

  /** The session this client is in, or null. */
  get session() {
    return this.#session;
  }

  /**
   * Opens the connection (and keeps it open: reconnects until close()); resolves with the `welcome` once it is
   * ready. When the client is in a session (a connect() after close()), it resumes it.
   * @returns {Promise<{player: string, name: string}>}
   * @throws {RuneForgeError} SIGNED_OUT (no valid sign-in), CLOSED (close() was called first)
   */
  connect() {
    if (this.#running && this.#ready) return this.#ready.promise;
    if (!this.#WebSocket) {
      return Promise.reject(new TypeError('no WebSocket here: pass options.WebSocket (in Node, the ws package)'));
    }
    /** @type {(w: {player: string, name: string}) => void} */
    let resolve = () => {};
    /** @type {(e: RuneForgeError) => void} */
    let reject = () => {};
    /** @type {Promise<{player: string, name: string}>} */
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // the caller's to handle; never an unhandled rejection of ours
    this.#ready = { promise, resolve, reject };
    this.#running = true;
    this.#everConnected = false;
    this.#failures = 0;
    this.#watchNetwork();
    this.#open();
    return promise;
  }

  /**
   * Closes the connection; pending requests fail with CLOSED. The session is kept (the server still counts this
   * player in it, offline): a later connect() resumes it.
   */
  close() {
    const wasRunning = this.#running;
    this.#running = false;
    this.#unwatch?.();
    this.#unwatch = null;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#discard();
    for (const p of [...this.#pending.values()]) {
      this.#fail(p, new RuneForgeError(ClientErrorCodes.CLOSED, 'The connection was closed.', { ref: p.id }));
    }
    this.#ready?.reject(new RuneForgeError(ClientErrorCodes.CLOSED, 'The connection was closed.'));
    this.#ready = null;
    if (wasRunning || this.#state !== State.OFFLINE) this.#setState(State.OFFLINE);
  }

  /** Skips the rest of the back-off wait (a "Retry now" button, the network coming back). */
  retryNow() {
    if (!this.#running || !this.#retryTimer) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#open();
  }

  /**
   * Round-trip time to the gateway, in ms (`ping` / `pong`).
   * @returns {Promise<number>}
   */
  ping() {
    return new Promise((resolve, reject) => {
      let t = Date.now();
      if (t <= this.#lastPingT) t = this.#lastPingT + 1;
      this.#lastPingT = t;
      if (!this.#sendFrame({ type: 'ping', t })) {
        reject(new RuneForgeError(ClientErrorCodes.NOT_CONNECTED, 'Not connected.'));
        return;
      }
      const timer = setTimeout(() => {
        this.#pings.delete(t);
        reject(new RuneForgeError(ErrorCodes.TIMEOUT, 'No answer to the ping.'));
      }, this.#o.pongTimeoutMs);
      this.#pings.set(t, { sent: Date.now(), resolve, reject, timer });
    });
  }

  /**
   * Sends a raw protocol message as it is (for what this SDK has no method for). No answer is awaited.
   * @param {Record<string, any>} message
   * @returns {boolean} false when not connected
   */
  send(message) {
    return this.#sendFrame(message);
  }

  // ---------------------------------------------------------------- sessions

  /**
   * Opens a new session of `game` (you are its creator/host) and resolves once you are in it.
   * @param {string} game  `dice`, `tactics`, …
   * @param {Record<string, any>} [settings] the game's (dice: `{mode: 'open'|'dm-led'}`; tactics: `{scenario, turnSeconds}`)
   * @param {{id?: string, timeoutMs?: number}} [options]
   * @returns {Promise<Session>}
   */
  create(game, settings = {}, options = {}) {
    const id = options.id ?? newId();
    return this.#request('create', { type: 'create', id, game, settings }, null, options.timeoutMs);
  }

  /**
   * Joins a session by its room code and resolves once you are in it (joining again as a member is fine).
   * @param {string} code e.g. `WOLF-RUNE-1234`
   * @param {{id?: string, timeoutMs?: number}} [options]
   * @returns {Promise<Session>}
   */
  join(code, options = {}) {
    const id = options.id ?? newId();
    return this.#request('join', { type: 'join', id, code: normalizeCode(code) }, null, options.timeoutMs);
  }

  /**
   * @param {Session} session
   * @param {'action'|'query'} kind
   * @param {Record<string, any>} body
   * @param {{id?: string, timeoutMs?: number}} options
   * @internal
   */
  _act(session, kind, body, options) {
    const id = options.id ?? newId();
    if (session.ended) {
      return Promise.reject(new RuneForgeError(ClientErrorCodes.SESSION_ENDED, 'You are no longer in this session.',
        { ref: id }));
    }
    const message = { type: 'action', id, session: session.id, body };
    return this.#request(kind, message, session, options.timeoutMs);
  }

  /**
   * @param {Session} session
   * @returns {Promise<void>}
   * @internal
   */
  _leave(session) {
    if (session.ended) return Promise.resolve();
    session._leaving = true;
    if (!this.connected) {
      // Not connected: the next connection will not resume it, so the gateway never shows it again.
      this.#end(session, { reason: 'left' }, true);
      return Promise.resolve();
    }
    const id = newId();
    return this.#request('leave', { type: 'leave', id, session: session.id }, session).then(() => {});
  }

  // ---------------------------------------------------------------- requests and answers

  /**
   * @param {Pending['kind']} kind
   * @param {Record<string, any>} message
   * @param {Session|null} session
   * @param {number} [timeoutMs]
   * @returns {Promise<any>}
   */
  #request(kind, message, session, timeoutMs) {
    return new Promise((resolve, reject) => {
      if (!isValidId(message.id)) {
        reject(new RuneForgeError(ErrorCodes.BAD_MESSAGE, 'An id is 1–64 letters, digits, - or _.', { ref: message.id }));
        return;
      }
      if (this.#pending.has(message.id)) {
        reject(new RuneForgeError(ErrorCodes.BAD_MESSAGE, 'A request with this id is still waiting for its answer.',
          { ref: message.id }));
        return;
      }
      if (!this.connected) {
        reject(new RuneForgeError(ClientErrorCodes.NOT_CONNECTED,
          'Not connected to the table right now. Wait for the connection and try again.', { ref: message.id }));
        return;
      }
      /** @type {Pending} */
      const p = {
        id: message.id, kind, message, session, resolve, reject, timer: undefined, retryTimer: undefined,
        status: 'waiting', socket: this.#generation, lost: false, sentOnce: false, retries: 0,
        timeoutMs: timeoutMs ?? this.#o.answerTimeoutMs, accepted: null,
      };
      this.#pending.set(p.id, p);
      this.#arm(p);
      this.#pump();
    });
  }

  /**
   * Sends the requests that wait, oldest first, while the socket has room for them (`maxInFlight`; one waiting
   * to go again after BUSY counts, so nothing overtakes it). Actions and queries go only into a session in sync:
   * after a reconnect, once the resume is through, with the same ids as before.
   */
  #pump() {
    if (!this.connected) return;
    let busy = 0;
    for (const p of this.#pending.values()) {
      if (p.status === 'retrying' || (p.status === 'sent' && p.socket === this.#generation)) busy++;
    }
    for (const p of [...this.#pending.values()]) {
      if (busy >= this.#o.maxInFlight) return;
      if (p.status !== 'waiting') continue;
      if ((p.kind === 'action' || p.kind === 'query') && !p.session?.synced) continue;
      if (!this.#sendFrame(p.message)) return; // the socket is going: the drop puts everything right
      p.status = 'sent';
      p.socket = this.#generation;
      p.lost = false;
      p.sentOnce = true;
      this.#arm(p);
      busy++;
    }
  }

  /**
   * The platform could not take the request (BUSY) or its game did not answer in time (UNAVAILABLE): the same
   * message goes again after the server's `retryMs`, or a back-off that grows with each retry.
   * @param {Pending} p @param {RuneForgeError} error
   */
  #retryLater(p, error) {
    p.retries++;
    p.status = 'retrying';
    clearTimeout(p.timer);
    p.timer = undefined;
    const wait = Math.max(error.retryMs ?? 0, backoffDelay(p.retries - 1, this.#o.retryBackoff));
    p.retryTimer = setTimeout(() => {
      p.retryTimer = undefined;
      if (this.#pending.get(p.id) !== p) return;
      p.status = 'waiting';
      this.#arm(p); // it may not go at once (no connection, its session catching up): it still waits no longer
      this.#pump();
    }, wait);
  }

  /** (Re)starts the wait for `p`'s answer. @param {Pending} p */
  #arm(p) {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (this.#pending.get(p.id) !== p) return;
      const text = {
        action: 'The server did not answer in time. The action may still have been applied: send it again with the same id (error.ref), which the platform applies once and answers.',
        query: 'The server did not answer in time. Ask again.',
        create: 'The server did not answer in time: the room may or may not have been opened.',
        join: 'The server did not answer in time. Try again.',
        leave: 'The server did not answer in time. Try again.',
      }[p.kind];
      this.#fail(p, new RuneForgeError(ErrorCodes.TIMEOUT, text,
        { ref: p.id, maybeApplied: (p.kind === 'action' || p.kind === 'create') && p.sentOnce }));
    }, p.timeoutMs);
  }

  /** @param {Pending} p @param {any} value */
  #settle(p, value) {
    if (this.#pending.get(p.id) !== p) return;
    this.#forget(p);
    p.resolve(value);
    this.#pump();
  }

  /** @param {Pending} p @param {RuneForgeError} error */
  #fail(p, error) {
    if (this.#pending.get(p.id) !== p) return;
    this.#forget(p);
    p.reject(error);
    this.#pump();
  }

  /** @param {Pending} p */
  #forget(p) {
    this.#pending.delete(p.id);
    clearTimeout(p.timer);
    clearTimeout(p.retryTimer);
    p.timer = p.retryTimer = undefined;
  }

  /** @param {string} raw */
  #onFrame(raw) {
    let m;
    try {
      m = JSON.parse(raw);
    } catch {
      return; // the server only sends JSON; nothing to crash on
    }
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
    switch (m.type) {
      case 'welcome': return this.#onWelcome(m);
      case 'joined': return this.#onJoined(m);
      case 'resumed': return this.#onResumed(m);
      case 'event': return this.#onEvent(m);
      case 'accepted': return this.#onAccepted(m);
      case 'result': return this.#onResult(m);
      case 'error': return this.#onError(m);
      case 'left': return this.#onLeft(m);
      case 'pong': return this.#onPong(m);
      default: return undefined; // a newer server may say more; nothing here depends on it
    }
  }

  /** @param {{player: string, name: string}} m */
  #onWelcome(m) {
    const previous = this.#me;
    this.#me = { player: m.player, name: m.name };
    this.#everConnected = true;
    this.#failures = 0;
    const session = this.#session;
    if (session && previous && previous.player !== m.player) {
      // Signed in as someone else meanwhile: that session was the other player's.
      this.#end(session, { reason: 'gone' }, false);
    }
    this.#setState(State.CONNECTED);
    this.#startPing();
    // Requests whose answer the old socket took with it: actions and queries go again with the same ids once the
    // session is resumed, a join at once (the platform applies an id once and answers every copy); a create
    // cannot go again (each create opens a new session), so it fails (CONNECTION_LOST); a leave is done (the
    // resume is not asked for, so the gateway shows the session no more).
    for (const p of [...this.#pending.values()]) {
      if (!p.lost) continue;
      if (p.kind === 'create') {
        this.#fail(p, new RuneForgeError(ClientErrorCodes.CONNECTION_LOST,
          'The connection dropped before the server answered: the room may or may not have been opened.',
          { ref: p.id, maybeApplied: true }));
      } else if (p.kind === 'leave') {
        if (p.session) this.#end(p.session, { reason: 'left' }, true);
        this.#settle(p, undefined);
      }
    }
    this.emit('welcome', { player: m.player, name: m.name });
    this.#ready?.resolve({ player: m.player, name: m.name });
    if (this.#session && !this.#session.ended && this.#session._resuming) {
      // The resume was asked in `hello`; its `resumed` (or `joined`, or a refusal) is on its way. Give up on a
      // silent one.
      clearTimeout(this.#resumeTimer);
      const generation = this.#generation;
      this.#resumeTimer = setTimeout(() => {
        if (generation === this.#generation && this.#session?._resuming) this.#drop();
      }, this.#o.answerTimeoutMs);
    }
    this.#pump();
  }

  /** @param {Joined} m */
  #onJoined(m) {
    if (typeof m.session !== 'string' || !Number.isSafeInteger(m.seq)) return;
    const current = this.#session;
    if (current && current.id === m.session && !current.ended) {
      clearTimeout(this.#resumeTimer);
      this.#resumeFailures = 0;
      this.#holes = 0;
      current._view(m);
      return;
    }
    if (current && !current.ended) this.#end(current, { reason: 'gone' }, false); // the server moved us on
    this.#holes = 0;
    const session = new Session(this, m, foldsOf(m.game, this.#o.games), {
      delivered: (s, e) => this.emit('event', e, s),
      synced: (s, info) => this.emit('sync', info, s),
      ready: () => this.#pump(),
      syncing: (s) => this.emit('syncing', s),
      closed: (s) => this.#closedByView(s),
      hole: (s) => this.#hole(s),
      answerTimeoutMs: this.#o.answerTimeoutMs,
    });
    this.#session = session;
    this.emit('joined', session);
    for (const p of this.#pending.values()) {
      if ((p.kind === 'create' || p.kind === 'join') && p.accepted === m.session) this.#settle(p, session);
    }
  }

  /**
   * The resume went through: the session's state (as of `seq`, the `lastSeq` this client sent) holds, and the
   * events it missed follow, each once, in order.
   * @param {{session: string, seq: number}} m
   */
  #onResumed(m) {
    const session = this.#session;
    if (!session || session.id !== m.session || session.ended || !Number.isSafeInteger(m.seq)) return;
    clearTimeout(this.#resumeTimer);
    this.#resumeFailures = 0;
    session._resumed(m.seq);
  }

  /** @param {{session: string, seq: number, body: any}} m */
  #onEvent(m) {
    const session = this.#session;
    if (!session || session.id !== m.session) return;
    session._offer({ session: m.session, seq: m.seq, body: m.body && typeof m.body === 'object' ? m.body : {}, catchUp: false });
  }

  /** @param {{id: string, session: string}} m */
  #onAccepted(m) {
    const p = this.#pending.get(m.id);
    if (!p) {
      // The resume's own answer comes after the events it brought: the session is current again.
      const session = this.#session;
      if (typeof m.id === 'string' && m.id.startsWith('resume-') && session && session.id === m.session) session._caughtUp();
      return;
    }
    if (p.kind === 'create' || p.kind === 'join') {
      // `joined` comes before `accepted` on the same subject; should it not have, wait for it.
      if (this.#session && this.#session.id === m.session && !this.#session.ended) this.#settle(p, this.#session);
      else p.accepted = m.session;
    } else if (p.kind === 'action') {
      this.#settle(p, { id: m.id, session: m.session });
    }
    // a query settles on its `result`, which comes first; a leave on `left`
  }

  /** @param {{ref: string, body: any}} m */
  #onResult(m) {
    const p = this.#pending.get(m.ref);
    if (p) this.#settle(p, m.body);
  }

  /** @param {{code: string, message: string, ref?: string, retryMs?: number}} m */
  #onError(m) {
    const error = errorFromFrame(m);
    const ref = error.ref;
    if (ref && ref.startsWith('resume-') && !this.#pending.has(ref)) {
      this.#resumeRefused(error);
      return;
    }
    const p = ref ? this.#pending.get(ref) : undefined;
    if (!p) {
      this.emit('error', error); // a refusal of no request of ours (e.g. RATE_LIMITED, which names none)
      return;
    }
    if (p.kind === 'leave') {
      // NOT_IN_ROOM: we were out already. Either way the gateway no longer shows it to this socket.
      if (p.session) this.#end(p.session, { reason: 'left' }, false);
      this.#settle(p, undefined);
      return;
    }
    const passing = error.code === ErrorCodes.BUSY || error.code === ErrorCodes.UNAVAILABLE;
    if (passing && p.kind !== 'create' && p.retries < this.#o.maxRetries) {
      // Not taken (BUSY), or no answer from the game in time (UNAVAILABLE): the same id again is safe.
      this.#retryLater(p, error);
      return;
    }
    // The gateway also says BUSY when its deadline passed with the action in a game instance's hands, so an
    // action (or a create) given up on may still be applied.
    if (passing && (p.kind === 'action' || (p.kind === 'create' && error.code === ErrorCodes.BUSY))) {
      error.maybeApplied = true;
    }
    this.#fail(p, error);
    if (error.code === ErrorCodes.NOT_IN_ROOM && p.session && p.session === this.#session && !p.session.ended) {
      // The gateway lost track of us (say, a restart it recovered from): get back in by resuming.
      this.#drop();
    }
  }

  /** @param {RuneForgeError} error */
  #resumeRefused(error) {
    const session = this.#session;
    if (!session || !session._resuming) return;
    clearTimeout(this.#resumeTimer);
    if ([ErrorCodes.UNAVAILABLE, ErrorCodes.BUSY, ErrorCodes.INTERNAL, ErrorCodes.RATE_LIMITED].includes(
      /** @type {any} */ (error.code))) {
      // Passing: resume on a new socket (a socket says hello once), later each time it happens again.
      this.#drop(Math.max(error.retryMs ?? 0, backoffDelay(this.#resumeFailures++, this.#o.backoff)));
      return;
    }
    this.#end(session, { reason: 'gone', error }, false); // NOT_IN_ROOM, ROOM_NOT_FOUND
  }

  /** @param {{session: string, reason?: string}} m */
  #onLeft(m) {
    const session = this.#session;
    if (!session || session.id !== m.session) return;
    for (const p of [...this.#pending.values()]) {
      if (p.kind === 'leave' && p.session === session) this.#settle(p, undefined);
    }
    this.#end(session, { reason: m.reason || 'left' }, false);
  }

  /** @param {{t: number}} m */
  #onPong(m) {
    const ping = this.#pings.get(m.t);
    if (!ping) return;
    this.#pings.delete(m.t);
    clearTimeout(ping.timer);
    const rtt = Date.now() - ping.sent;
    ping.resolve(rtt);
    if (this.connected) this.#setState(State.CONNECTED, { rttMs: rtt });
  }

  // ---------------------------------------------------------------- sessions: holes, ends

  /**
   * A seq went missing on this socket. The server promises that never happens, so this is a safety net: resume
   * on a new socket, which brings exactly the missed events; should it happen again before a fresh view, the
   * next resume asks for one (`lastSeq` 0 is always answered with `joined`).
   * @param {Session} session
   */
  #hole(session) {
    if (session !== this.#session || session.ended) return;
    this.#holes++;
    this.#drop();
  }

  /**
   * The session's state says it has closed (say, while this client was away: a closed room sends no `left` to a
   * socket that was not there): leave it, so the gateway stops showing it to this socket (the game refuses the
   * leave; harmless).
   * @param {Session} session
   */
  #closedByView(session) {
    this.#sendFrame({ type: 'leave', id: newId(), session: session.id });
    this.#end(session, { reason: 'closed' }, false);
  }

  /**
   * @param {Session} session
   * @param {EndInfo} info
   * @param {boolean} sendLeave  tell the server too (when connected)
   */
  #end(session, info, sendLeave) {
    if (session.ended) return;
    if (sendLeave && this.connected) this.#sendFrame({ type: 'leave', id: newId(), session: session.id });
    if (this.#session === session) this.#session = null;
    for (const p of [...this.#pending.values()]) {
      if (p.session === session && p.kind !== 'leave') {
        this.#fail(p, new RuneForgeError(ClientErrorCodes.SESSION_ENDED, 'You are no longer in this session.',
          { ref: p.id, maybeApplied: p.kind === 'action' && p.sentOnce }));
      }
    }
    session._end(info);
    this.emit('left', info, session);
  }

  // ---------------------------------------------------------------- the socket

  #open() {
    this.#openSocket().catch(() => {
      if (this.#running && !this.#ws) this.#scheduleRetry();
    });
  }

  async #openSocket() {
    if (!this.#running) return;
    this.#setState(this.#everConnected ? State.RECONNECTING : State.CONNECTING);
    const generation = ++this.#generation;
    const WS = /** @type {WebSocketConstructor} */ (this.#WebSocket);
    // Outside a browser the access token is ours to renew: an expired one would only be refused at the upgrade.
    if (this.http.cookies && !this.http.accessToken && this.http.cookies.get('rf_refresh')) {
      await this.http.refresh().catch(() => false);
      if (generation !== this.#generation || !this.#running) return;
    }
    const headers = this.http.socketHeaders();
    /** @type {WebSocketLike} */
    let ws;
    try {
      ws = headers ? new WS(this.http.socketUrl, { headers }) : new WS(this.http.socketUrl);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    let welcomed = false;
    ws.onopen = () => {
      /** @type {Record<string, any>} */
      const hello = { type: 'hello', v: PROTOCOL_VERSION };
      const session = this.#session;
      if (session && !session.ended && !session._leaving) {
        // After holes the server should never have left, ask for a fresh view instead (lastSeq 0: `joined`).
        hello.resume = { session: session.id, lastSeq: this.#holes >= 2 ? 0 : session.seq };
        session._resume();
      }
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (e) => {
      const data = typeof e.data === 'string' ? e.data : String(e.data);
      if (!welcomed && data.includes('"welcome"')) welcomed = true;
      this.#lastHeard = Date.now();
      this.#onFrame(data);
    };
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#discard();
      if (!this.#running) return;
      if (welcomed) this.#scheduleRetry();
      else this.#failedBeforeWelcome();
    };
    ws.onerror = () => {}; // always followed by close
  }

  /**
   * The socket closed before `welcome`: a refused upgrade (401) looks the same as a server that is down, so ask
   * whether the sign-in still holds (this refreshes the access token once when it expired).
   */
  async #failedBeforeWelcome() {
    let signedIn = true;
    try {
      signedIn = (await this.http.currentPlayer()) !== null;
    } catch {
      signedIn = true; // cannot tell: keep trying
    }
    if (!this.#running) return;
    if (!signedIn) {
      const ready = this.#ready;
      this.#ready = null;
      this.close();
      ready?.reject(new RuneForgeError(ClientErrorCodes.SIGNED_OUT, 'Your sign-in has expired. Sign in again.'));
      this.emit('signedout');
      return;
    }
    this.#scheduleRetry();
  }

  /** @param {number} [atLeastMs] */
  #scheduleRetry(atLeastMs = 0) {
    const delay = Math.max(atLeastMs, backoffDelay(this.#failures, this.#o.backoff));
    this.#failures++;
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    this.#setState(offline ? State.OFFLINE : this.#everConnected ? State.RECONNECTING : State.CONNECTING,
      { retryInMs: delay });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#open();
    }, delay);
  }

  #startPing() {
    clearInterval(this.#pingTimer);
    if (!this.#o.pingEveryMs) return;
    const generation = this.#generation;
    this.#pingTimer = setInterval(() => {
      if (generation !== this.#generation || !this.connected) return;
      const sent = Date.now();
      this.ping().catch(() => {
        // Nothing heard since a ping went unanswered: a half-open socket that would otherwise look fine for ever.
        if (generation === this.#generation && this.connected && this.#lastHeard < sent) this.#drop();
      });
    }, this.#o.pingEveryMs);
  }

  /**
   * Gives up on this socket without waiting for its close handshake; reconnects after the back-off.
   * @param {number} [atLeastMs] wait at least this long
   */
  #drop(atLeastMs = 0) {
    if (!this.#ws) return;
    this.#discard();
    if (this.#running) this.#scheduleRetry(atLeastMs);
  }

  #discard() {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#resumeTimer);
    this.#pingTimer = undefined;
    for (const [, ping] of this.#pings) {
      clearTimeout(ping.timer);
      ping.reject(new RuneForgeError(ClientErrorCodes.NOT_CONNECTED, 'The connection dropped.'));
    }
    this.#pings.clear();
    const ws = this.#ws;
    this.#ws = null;
    // Whatever the old socket owed goes again on the next one (see #onWelcome); its answer timer runs on.
    for (const p of this.#pending.values()) {
      if (p.status === 'sent') {
        p.status = 'waiting';
        p.lost = true;
      }
    }
    this.#session?._disconnected();
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.onerror = () => {}; // the ws package throws an 'error' nobody listens to
      try {
        ws.close();
      } catch {
        // already closing
      }
    }
  }

  /** @param {Record<string, any>} message */
  #sendFrame(message) {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1 || (message.type !== 'hello' && !this.connected)) return false;
    try {
      ws.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  /** @param {ConnectionState} state @param {{retryInMs?: number, rttMs?: number}} [detail] */
  #setState(state, detail = {}) {
    this.#state = state;
    this.emit('state', state, detail);
  }

  /** In a browser: the network's own news (offline, online, the page shown again) moves the connection. */
  #watchNetwork() {
    if (!this.#o.watchNetwork || !inBrowser() || typeof window === 'undefined' || this.#unwatch) return;
    const onOnline = () => this.retryNow();
    // The browser knows the network is gone (airplane mode, Wi-Fi lost): a socket that still looks open is dead or
    // about to be, and events sent to it meanwhile would be lost without a word. Drop it now and say so; the next
    // socket resumes. Retries wait for `online` (and still happen, slowly, should that event never come).
    const onOffline = () => {
      if (!this.#running) return;
      this.#discard();
      const wait = backoffDelay(Infinity, { ...this.#o.backoff, jitter: 0 });
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#open();
      }, wait);
      this.#setState(State.OFFLINE, { retryInMs: wait });
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible' && this.#retryTimer) this.retryNow();
    };
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    document.addEventListener('visibilitychange', onVisible);
    this.#unwatch = () => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }
}

/**
 * A room code as players type it (`wolf rune 1234`, ` Wolf-Rune-1234 `, `wolf-rune1234`) in the server's form
 * (`WOLF-RUNE-1234`; older rooms have one word, `WOLF-1234`); the server decides whether the room exists.
 * @param {string} text
 */
export function normalizeCode(text) {
  const parts = String(text).trim().toUpperCase().split(/[\s-]+/).filter(Boolean);
  const last = /^([A-Z]+)(\d+)$/.exec(parts[parts.length - 1] ?? '');
  if (last) parts.splice(parts.length - 1, 1, last[1], last[2]);
  return parts.join('-');
}

/**
 * @typedef {object} SessionHooks  what a Session asks of its client
 * @property {(s: Session, e: SessionEvent) => void} delivered
 * @property {(s: Session, info: SyncInfo) => void} synced
 * @property {(s: Session) => void} ready    in sync and open: what waits may be sent
 * @property {(s: Session) => void} syncing
 * @property {(s: Session) => void} closed   a view or the events a resume brought say the session has closed
 * @property {(s: Session) => void} hole     a seq went missing: resume on a new socket
 * @property {number} answerTimeoutMs
 */

/** @typedef {{event: [SessionEvent], sync: [SyncInfo], syncing: [], left: [EndInfo], change: []}} SessionEvents */

/**
 * One session this client is in: its game state folded from the `joined` view and every event since, its
 * actions, and its events (also emitted by the client).
 * @template [S=any]
 * @extends {Emitter<SessionEvents>}
 */
export class Session extends Emitter {
  /** @type {RuneForgeClient} */
  #client;
  /** @type {SessionHooks} */
  #hooks;
  /** @type {Sequencer<SessionEvent>} */
  #seq;
  /** @type {Set<{pick: (state: S) => any, resolve: (v: any) => void, reject: (e: RuneForgeError) => void, timer: ReturnType<typeof setTimeout>}>} */
  #waiters = new Set();
  #synced = true;
  /** Between `resumed` and the end of its answer: the events that come are the ones missed while away. */
  #catchingUp = false;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #catchUpTimer;
  /** @type {EndInfo|null} */
  #ended = null;
  /** @internal */
  _resuming = false;
  /** @internal */
  _leaving = false;
  /** @internal @type {import('./games/index.js').GameFolds<S>} */
  _folds;

  /**
   * @param {RuneForgeClient} client
   * @param {Joined} joined
   * @param {import('./games/index.js').GameFolds<S>} folds
   * @param {SessionHooks} hooks
   */
  constructor(client, joined, folds, hooks) {
    super();
    this.#client = client;
    this.#hooks = hooks;
    this._folds = folds;
    /** The session id. */
    this.id = joined.session;
    /** The room code (free again once the session closed). */
    this.code = joined.code || (joined.view && joined.view.code) || '';
    /** The game id (`dice`, `tactics`, …). */
    this.game = joined.game;
    /** The last view the server sent (`joined.view`). */
    this.view = joined.view;
    /** The server's clock minus this machine's, in ms, as of the last view: server time − offset = local time. */
    this.clockOffset = Number.isFinite(joined.serverTime) ? /** @type {number} */ (joined.serverTime) - Date.now() : 0;
    /** The game's state: folds.init(view), then folds.fold for each event. @type {S} */
    this.state = folds.init(joined, null);
    this.#seq = new Sequencer(joined.seq);
  }

  /** The player id this client plays as. */
  get player() {
    return this.#client.me?.player ?? '';
  }

  /** The last seq delivered. */
  get seq() {
    return this.#seq.seq;
  }

  /** Whether the state is up to date: connected, and not resuming or catching up after a reconnect. */
  get synced() {
    return this.#synced && this.#client.connected && !this.#ended;
  }

  /** How the session ended, or null while this client is in it. */
  get ended() {
    return this.#ended;
  }

  /** A server time (epoch ms, e.g. a deadline in the state) on this machine's clock. @param {number} serverMs */
  localTime(serverMs) {
    return serverMs - this.clockOffset;
  }

  /**
   * Sends a game action (`body`, e.g. `{type: 'roll', formula: '2d6'}`) and resolves once it is applied
   * (`accepted`). The id is generated unless given. The platform applies an id once and answers every copy, so
   * the SDK sends it again with the same id after BUSY (after `retryMs`), UNAVAILABLE or a reconnect, and passing
   * the id of a failed attempt (`error.ref`) retries it safely too. While the session is not in sync (a resume
   * under way) it waits to be sent.
   * @param {Record<string, any>} body
   * @param {{id?: string, timeoutMs?: number}} [options]
   * @returns {Promise<{id: string, session: string, event?: SessionEvent}>}
   * @throws {RuneForgeError} the game's refusal (e.g. INVALID_DICE_FORMAT), NOT_CONNECTED, TIMEOUT, SESSION_ENDED,
   *         BUSY or UNAVAILABLE once the retries are spent (`maxRetries`)
   */
  act(body, options = {}) {
    return this.#client._act(this, 'action', body, options);
  }

  /**
   * Sends a query action (e.g. dice `history`) and resolves with its `result` body, which only this player gets.
   * @param {Record<string, any>} body
   * @param {{id?: string, timeoutMs?: number}} [options]
   * @returns {Promise<any>}
   */
  query(body, options = {}) {
    return this.#client._act(this, 'query', body, options);
  }

  /** Leaves the session (resolves once the server has let go of it). */
  leave() {
    return this.#client._leave(this);
  }

  /**
   * Resolves with `pick(state)` as soon as that is truthy (now, or after a later event or sync); rejects with
   * TIMEOUT after `timeoutMs`, or SESSION_ENDED.
   * @template T
   * @param {(state: S) => T | undefined | null | false} pick
   * @param {number} [timeoutMs]
   * @returns {Promise<T>}
   */
  waitFor(pick, timeoutMs) {
    const now = pick(this.state);
    if (now) return Promise.resolve(now);
    if (this.#ended) {
      return Promise.reject(new RuneForgeError(ClientErrorCodes.SESSION_ENDED, 'You are no longer in this session.'));
    }
    return new Promise((resolve, reject) => {
      const w = {
        pick, resolve, reject,
        timer: setTimeout(() => {
          this.#waiters.delete(w);
          reject(new RuneForgeError(ErrorCodes.TIMEOUT, 'It did not happen in time.'));
        }, timeoutMs ?? this.#hooks.answerTimeoutMs),
      };
      this.#waiters.add(w);
    });
  }

  /**
   * Replaces the state with `change(state)` (e.g. a page of history merged in), for the listeners of `change`.
   * @param {(state: S) => S} change
   */
  update(change) {
    this.state = change(this.state);
    this.#checkWaiters();
    this.emit('change');
  }

  /**
   * The whole replay of this session as this player may see it (REST; closed sessions too): every step's event
   * and the view after it. The live session never needs it (a resume brings the missed events).
   * @returns {Promise<{game: string, steps: import('./http.js').ReplayStep[]}>}
   */
  replay() {
    return this.#client.http.replayAll(this.id);
  }

  // ---------------------------------------------------------------- the client's side (internal)

  /** @internal The socket dropped: the state is stale until the resume. */
  _disconnected() {
    if (this.#ended) return;
    this.#stopCatchUp();
    if (this.#synced) {
      this.#synced = false;
      this.#hooks.syncing(this);
      this.emit('syncing');
    }
  }

  /** @internal `hello` with `resume` went out. */
  _resume() {
    this._resuming = true;
    this.#synced = false;
  }

  /**
   * @internal `resumed`: the state as of `seq` holds; the events after it follow, then the resume's `accepted`
   * (`_caughtUp`).
   * @param {number} seq
   */
  _resumed(seq) {
    if (this.#ended || !this._resuming) return;
    this._resuming = false;
    if (seq > this.#seq.seq) {
      this.#hooks.hole(this); // the server counts events this client never had: it cannot go on from there
      return;
    }
    this.#catchingUp = true;
    clearTimeout(this.#catchUpTimer);
    // The end of the resume's answer says when the missed events are all here; should it not come, go on anyway.
    this.#catchUpTimer = setTimeout(() => this._caughtUp(), CATCH_UP_MS);
  }

  /** @internal The missed events a resume brought are all delivered. */
  _caughtUp() {
    if (!this.#catchingUp || this.#ended) return;
    this.#stopCatchUp();
    this.#markSynced({ reason: 'resume' });
  }

  /**
   * @internal A `joined` view of this session: after a resume the server could not answer with the missed
   * events, a join again, or a view the server sent because it could not fill a hole.
   * @param {Joined} joined
   */
  _view(joined) {
    if (this.#ended) return;
    const reason = this._resuming ? 'resume' : 'view';
    this._resuming = false;
    this.#stopCatchUp();
    if (joined.seq < this.#seq.seq) {
      // An older view than the state (events overtook it): nothing to replace.
      if (!this.#synced) this.#markSynced({ reason });
      return;
    }
    const missed = joined.seq > this.#seq.seq ? { after: this.#seq.seq, until: joined.seq } : undefined;
    this.view = joined.view;
    if (joined.code) this.code = joined.code;
    if (Number.isFinite(joined.serverTime)) this.clockOffset = /** @type {number} */ (joined.serverTime) - Date.now();
    this.#seq.skipTo(joined.seq);
    this.state = this._folds.init(joined, this.state);
    this.#markSynced(missed ? { reason, missed } : { reason });
    if (!this.#ended) this.#deliver(); // what came after the view already
  }

  /**
   * @internal A live event.
   * @param {SessionEvent} event
   */
  _offer(event) {
    if (this.#ended || !this.#seq.offer(event)) return;
    this.#deliver();
  }

  /** @internal @param {EndInfo} info */
  _end(info) {
    if (this.#ended) return;
    this.#ended = info;
    this.#stopCatchUp();
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new RuneForgeError(ClientErrorCodes.SESSION_ENDED, 'You are no longer in this session.'));
    }
    this.#waiters.clear();
    this.emit('left', info);
  }

  #stopCatchUp() {
    this.#catchingUp = false;
    clearTimeout(this.#catchUpTimer);
    this.#catchUpTimer = undefined;
  }

  /** The state is current: say so; a closed session ends here, an open one lets what waits go. @param {SyncInfo} info */
  #markSynced(info) {
    this.#synced = true;
    this.#checkWaiters();
    this.#hooks.synced(this, info);
    this.emit('sync', info);
    if (this.#ended) return;
    if (this._folds.closed?.(this.state)) this.#hooks.closed(this);
    else this.#hooks.ready(this);
  }

  /**
   * Delivers the held events that are next in order. One left waiting behind a missing seq means a hole, which
   * the server never leaves: the client resumes.
   */
  #deliver() {
    for (const e of this.#seq.take()) {
      if (this.#ended) return;
      e.catchUp = this.#catchingUp;
      this.state = this._folds.fold(this.state, e.body);
      this.emit('event', e);
      this.#hooks.delivered(this, e);
      this.#checkWaiters();
    }
    if (!this.#ended && this.#seq.gap()) this.#hooks.hole(this);
  }

  #checkWaiters() {
    for (const w of [...this.#waiters]) {
      let value;
      try {
        value = w.pick(this.state);
      } catch {
        value = undefined;
      }
      if (value) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(value);
      }
    }
  }
}

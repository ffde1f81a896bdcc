// The player's one WebSocket (docs/protocol.md): hello on every (re)connect, ping to keep it honest,
// exponential backoff when it drops. It knows nothing about rooms: the app re-joins on `ready`.

const PROTOCOL_VERSION = 1;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const PING_EVERY_MS = 25_000;
// A ping with no answer this long means a half-open socket that would otherwise look fine forever.
const PONG_TIMEOUT_MS = 10_000;

/** Connection states, shown to the player as they are (data-state on the status element). */
export const State = Object.freeze({
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  RECONNECTING: 'reconnecting',
  OFFLINE: 'offline',
});

export function socketUrl(location) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/**
 * @param {object} handlers
 * @param {(state: string, detail: {retryInMs?: number, rttMs?: number}) => void} handlers.onState
 * @param {(welcome: object) => void} handlers.onReady   after `welcome`; the place to re-join a room
 * @param {(message: object) => void} handlers.onMessage every other server message
 * @param {() => Promise<boolean>} handlers.stillSignedIn asked after a failed attempt: the upgrade is refused
 *        with a 401 the browser cannot see, so the only way to tell "expired sign-in" from "server down" is to ask.
 * @param {() => void} handlers.onSignedOut the sign-in is gone; the connection has stopped
 */
export class Connection {
  #url;
  #h;
  #ws = null;
  #state = State.OFFLINE;
  #running = false;
  #everConnected = false;
  #failures = 0;
  #retryTimer = 0;
  #pingTimer = 0;
  #pongTimer = 0;
  #onOnline = () => this.retryNow();
  // The browser knows the network is gone (airplane mode, Wi-Fi lost): a socket that still looks open is dead
  // or about to be, and events sent to it meanwhile would be lost without a word. Drop it now and say so; the
  // next socket re-joins and gets a fresh view. Retries wait for `online` (and still happen, slowly, should
  // that event never come).
  #onOffline = () => {
    if (!this.#running) return;
    this.#discard();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = 0;
      this.#open();
    }, BACKOFF_MAX_MS);
    this.#setState(State.OFFLINE, { retryInMs: BACKOFF_MAX_MS });
  };
  #onVisible = () => {
    if (document.visibilityState === 'visible' && this.#retryTimer) this.retryNow();
  };

  constructor(url, handlers) {
    this.#url = url;
    this.#h = handlers;
  }

  get state() {
    return this.#state;
  }

  get connected() {
    return this.#state === State.CONNECTED;
  }

  start() {
    if (this.#running) return;
    this.#running = true;
    this.#everConnected = false;
    this.#failures = 0;
    window.addEventListener('online', this.#onOnline);
    window.addEventListener('offline', this.#onOffline);
    document.addEventListener('visibilitychange', this.#onVisible);
    this.#open();
  }

  stop() {
    this.#running = false;
    window.removeEventListener('online', this.#onOnline);
    window.removeEventListener('offline', this.#onOffline);
    document.removeEventListener('visibilitychange', this.#onVisible);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = 0;
    this.#discard();
    this.#setState(State.OFFLINE);
  }

  /** Skips the rest of the backoff wait (the "Retry now" button, the browser coming back online). */
  retryNow() {
    if (!this.#running || !this.#retryTimer) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = 0;
    this.#open();
  }

  /** Sends when connected (after welcome); returns false otherwise so the caller can say so. */
  send(message) {
    if (!this.connected) return false;
    try {
      this.#ws.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  #open() {
    this.#setState(this.#everConnected ? State.RECONNECTING : State.CONNECTING);
    let ws;
    try {
      ws = new WebSocket(this.#url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    let welcomed = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION }));
    ws.onmessage = (e) => {
      let message;
      try {
        message = JSON.parse(e.data);
      } catch {
        return; // not ours to crash on; the server only sends JSON
      }
      if (!message || typeof message.type !== 'string') return;
      clearTimeout(this.#pongTimer); // any frame proves the socket is alive
      this.#pongTimer = 0;
      if (message.type === 'welcome') {
        welcomed = true;
        this.#everConnected = true;
        this.#failures = 0;
        this.#setState(State.CONNECTED);
        this.#startPing();
        this.#h.onReady(message);
      } else if (message.type === 'pong') {
        if (typeof message.t === 'number') this.#setState(State.CONNECTED, { rttMs: Date.now() - message.t });
      } else {
        this.#h.onMessage(message);
      }
    };
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#discard();
      if (!this.#running) return;
      if (welcomed) {
        this.#scheduleRetry();
      } else {
        this.#failedBeforeWelcome();
      }
    };
    ws.onerror = () => {}; // always followed by close
  }

  async #failedBeforeWelcome() {
    let signedIn = true;
    try {
      signedIn = await this.#h.stillSignedIn();
    } catch {
      signedIn = true; // cannot tell: keep trying
    }
    if (!this.#running) return;
    if (!signedIn) {
      this.stop();
      this.#h.onSignedOut();
      return;
    }
    this.#scheduleRetry();
  }

  #scheduleRetry() {
    const delay = Math.min(BACKOFF_FIRST_MS * 2 ** this.#failures, BACKOFF_MAX_MS);
    this.#failures++;
    const offline = navigator.onLine === false;
    this.#setState(offline ? State.OFFLINE : this.#everConnected ? State.RECONNECTING : State.CONNECTING,
      { retryInMs: delay });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = 0;
      this.#open();
    }, delay);
  }

  #startPing() {
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (!this.send({ type: 'ping', t: Date.now() })) return;
      clearTimeout(this.#pongTimer);
      this.#pongTimer = setTimeout(() => this.#drop(), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  /** Gives up on a socket that stopped answering without waiting for its close handshake. */
  #drop() {
    if (!this.#ws) return;
    this.#discard();
    if (this.#running) this.#scheduleRetry();
  }

  #discard() {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    this.#pingTimer = 0;
    this.#pongTimer = 0;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // already closing
      }
    }
  }

  #setState(state, detail = {}) {
    this.#state = state;
    this.#h.onState(state, detail);
  }
}

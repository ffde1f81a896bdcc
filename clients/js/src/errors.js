// Typed errors: every code of docs/protocol.md ("Error codes") as a constant, the codes this SDK adds for what
// it notices itself (no connection, no answer), and one Error subclass that carries code, message and ref.

/**
 * Every error code the platform sends, over the WebSocket (`{"type":"error","code",…}`) or over HTTP
 * (`{"code","message"}`). The values are the codes themselves, so `err.code === ErrorCodes.ROOM_FULL` reads well
 * and a code this SDK does not know yet still arrives as it is.
 */
export const ErrorCodes = Object.freeze({
  // The platform
  UNAUTHORIZED: 'UNAUTHORIZED',
  BAD_MESSAGE: 'BAD_MESSAGE',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  HELLO_REQUIRED: 'HELLO_REQUIRED',
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  ALREADY_IN_SESSION: 'ALREADY_IN_SESSION',
  ROOM_NOT_FOUND: 'ROOM_NOT_FOUND',
  /** The room's host locked it: nobody new may join (its members may come back). */
  ROOM_LOCKED: 'ROOM_LOCKED',
  UNKNOWN_GAME: 'UNKNOWN_GAME',
  INVALID_ACTION: 'INVALID_ACTION',
  INVALID_NAME: 'INVALID_NAME',
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  /** This player or network holds as many sockets as it may: close one (the socket is closed, code 1013). */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** A socket in no room sent nothing but pings for 30 min (`gateway.idle.timeout`): closed. */
  IDLE_TIMEOUT: 'IDLE_TIMEOUT',
  /** The socket's access token expired: closed; the SDK reconnects with a fresh one and resumes. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  OIDC_DISABLED: 'OIDC_DISABLED',
  /** The game did not answer in time: the same action (same id) may be sent again safely. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** The platform is overloaded: send the same action (same id) again after `retryMs`. */
  BUSY: 'BUSY',
  INTERNAL: 'INTERNAL',
  /** The WebSocket upgrade from a foreign Origin (HTTP 403 on GET /ws; not in protocol.md's list). */
  ORIGIN_FORBIDDEN: 'ORIGIN_FORBIDDEN',
  // The dice room
  ROOM_FULL: 'ROOM_FULL',
  KICKED: 'KICKED',
  INVALID_DICE_FORMAT: 'INVALID_DICE_FORMAT',
  HIDDEN_NOT_ALLOWED: 'HIDDEN_NOT_ALLOWED',
  RATE_LIMIT: 'RATE_LIMIT',
  NOT_DM: 'NOT_DM',
  ROLL_NOT_FOUND: 'ROLL_NOT_FOUND',
  ROLL_NOT_HIDDEN: 'ROLL_NOT_HIDDEN',
  INVALID_DC: 'INVALID_DC',
  NOT_ROOM_CREATOR: 'NOT_ROOM_CREATOR',
  PLAYER_NOT_FOUND: 'PLAYER_NOT_FOUND',
  ALREADY_DM_LED: 'ALREADY_DM_LED',
  NOT_ADMIN: 'NOT_ADMIN',
  CANNOT_KICK_SELF: 'CANNOT_KICK_SELF',
  /** A roll's label is not 1–40 characters of one line of visible text. */
  INVALID_LABEL: 'INVALID_LABEL',
  /** A chat line is not 1–300 characters of one line of visible text (dice room and tactics). */
  INVALID_CHAT: 'INVALID_CHAT',
  // Tactics
  NOT_YOUR_TURN: 'NOT_YOUR_TURN',
  UNIT_NOT_FOUND: 'UNIT_NOT_FOUND',
  NOT_YOUR_UNIT: 'NOT_YOUR_UNIT',
  INVALID_MOVE: 'INVALID_MOVE',
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  ALREADY_ATTACKED: 'ALREADY_ATTACKED',
  UNIT_DOWN: 'UNIT_DOWN',
  GAME_OVER: 'GAME_OVER',
  INVALID_SCENARIO: 'INVALID_SCENARIO',
  INVALID_UNIT: 'INVALID_UNIT',
  INVALID_TARGET: 'INVALID_TARGET',
  INVALID_SETTINGS: 'INVALID_SETTINGS',
  NOT_HOST: 'NOT_HOST',
  NOT_STARTED: 'NOT_STARTED',
  ALREADY_STARTED: 'ALREADY_STARTED',
  NOT_READY: 'NOT_READY',
  UNIT_TAKEN: 'UNIT_TAKEN',
  WRONG_SIDE: 'WRONG_SIDE',
  /** A rematch asked before the encounter is won. */
  NOT_OVER: 'NOT_OVER',
  // rock-paper-scissors
  INVALID_CHOICE: 'INVALID_CHOICE',
  /** No round is open: the match waits for an opponent, or it is over. */
  NOT_PLAYING: 'NOT_PLAYING',
  ALREADY_CHOSE: 'ALREADY_CHOSE',
  // HTTP: permalinks, voice, REST
  INVALID_PERMALINK: 'INVALID_PERMALINK',
  PERMALINK_NOT_FOUND: 'PERMALINK_NOT_FOUND',
  NOT_A_MEMBER: 'NOT_A_MEMBER',
  BARRED: 'BARRED',
  SESSION_CLOSED: 'SESSION_CLOSED',
  LIVEKIT_NOT_CONFIGURED: 'LIVEKIT_NOT_CONFIGURED',
  SAVES_FULL: 'SAVES_FULL',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** REST: stored, but no answer in time; also this SDK's code for a request the server never answered. */
  TIMEOUT: 'TIMEOUT',
});

/**
 * Codes this SDK raises itself; the server never sends them.
 */
export const ClientErrorCodes = Object.freeze({
  /** The request was not sent: no live connection (or the session is not in sync yet). */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** The connection dropped while a create was in flight: it may or may not have opened a room. */
  CONNECTION_LOST: 'CONNECTION_LOST',
  /** The client was closed (client.close()) or signed out while the request was waiting. */
  CLOSED: 'CLOSED',
  /** The sign-in is over (no valid access or refresh token): sign in again. */
  SIGNED_OUT: 'SIGNED_OUT',
  /** The network failed before the server answered an HTTP request. */
  NETWORK: 'NETWORK',
  /** The session ended (left, removed, closed) before the request was answered. */
  SESSION_ENDED: 'SESSION_ENDED',
});

/** @typedef {typeof ErrorCodes[keyof typeof ErrorCodes] | typeof ClientErrorCodes[keyof typeof ClientErrorCodes]} KnownErrorCode */

/** An error from the platform or from this SDK: `code` (see ErrorCodes, ClientErrorCodes), `message`, `ref`. */
export class RuneForgeError extends Error {
  /**
   * @param {string} code     the error code (a server code such as ROOM_FULL, or one of ClientErrorCodes)
   * @param {string} message  meant to be shown to a person as it is (the server's own words when it sent one)
   * @param {object} [details]
   * @param {string|null} [details.ref]     the id of the message this answers, when there is one
   * @param {number} [details.status]       the HTTP status, for an HTTP error
   * @param {boolean} [details.maybeApplied] true when an action failed without a refusal (no answer, BUSY or
   *        UNAVAILABLE after the SDK's retries, the session or connection gone) but may still have been applied:
   *        send it again with the same id (`ref`) to be sure; the platform applies an id once and answers every copy
   * @param {number} [details.retryMs] with BUSY: how long the server asked to wait before the same action again
   * @param {unknown} [details.cause]
   */
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RuneForgeError';
    /** @type {string} */
    this.code = code;
    /** @type {string|null} */
    this.ref = details.ref ?? null;
    /** @type {number|undefined} */
    this.status = details.status;
    /** @type {boolean} */
    this.maybeApplied = Boolean(details.maybeApplied);
    /** @type {number|undefined} */
    this.retryMs = details.retryMs;
  }
}

/**
 * The error a server `error` frame stands for.
 * @param {{code?: unknown, message?: unknown, ref?: unknown, retryMs?: unknown}} frame
 * @returns {RuneForgeError}
 */
export function errorFromFrame(frame) {
  const code = typeof frame.code === 'string' && frame.code ? frame.code : ErrorCodes.INTERNAL;
  const message = typeof frame.message === 'string' && frame.message ? frame.message : code;
  const ref = typeof frame.ref === 'string' ? frame.ref : null;
  const retryMs = typeof frame.retryMs === 'number' && Number.isFinite(frame.retryMs) && frame.retryMs >= 0
    ? frame.retryMs : undefined;
  return new RuneForgeError(code, message, { ref, retryMs });
}

/**
 * The error an HTTP answer that is not ok stands for: its JSON `{code, message}` when it has one, else
 * `HTTP_<status>` with a sentence.
 * @param {number} status
 * @param {unknown} body  the parsed JSON body, or null
 * @returns {RuneForgeError}
 */
export function errorFromHttp(status, body) {
  const b = /** @type {{code?: unknown, message?: unknown}|null} */ (body && typeof body === 'object' ? body : null);
  if (b && typeof b.code === 'string' && b.code) {
    const message = typeof b.message === 'string' && b.message ? b.message : b.code;
    return new RuneForgeError(b.code, message, { status });
  }
  return new RuneForgeError(`HTTP_${status}`, `The server answered ${status}. Try again.`, { status });
}

/**
 * Whether waiting and trying again may help (the platform or the network is busy or down), as opposed to a
 * refusal that will be the same next time.
 * @param {unknown} error
 */
export function isRetryable(error) {
  if (!(error instanceof RuneForgeError)) return false;
  return [ErrorCodes.UNAVAILABLE, ErrorCodes.BUSY, ErrorCodes.TIMEOUT, ErrorCodes.RATE_LIMITED, ErrorCodes.RATE_LIMIT,
    ClientErrorCodes.NOT_CONNECTED, ClientErrorCodes.NETWORK, ClientErrorCodes.CONNECTION_LOST]
    .includes(/** @type {any} */ (error.code));
}

// @runeforge/client: the Rune Forge client SDK (docs/protocol.md). Plain ES modules with no dependencies: the
// browser loads them as they are (the gateway serves this directory at /sdk/), Node >= 20 imports the package.
//
//   import { RuneForgeClient, dice } from '@runeforge/client';
//   const client = new RuneForgeClient({ baseUrl: 'http://localhost:8080', WebSocket });  // ws in Node
//   await client.signInAsGuest('Bot');
//   await client.connect();
//   const room = await client.join('WOLF-RUNE-1234');
//   const roll = await dice.roll(room, '1d20+3');

export { PROTOCOL_VERSION, RuneForgeClient, Session, State, normalizeCode } from './client.js';
export { ClientErrorCodes, ErrorCodes, RuneForgeError, errorFromFrame, errorFromHttp, isRetryable } from './errors.js';
export { HttpClient, inBrowser } from './http.js';
export { CookieJar } from './cookies.js';
export { BACKOFF_DEFAULTS, backoffDelay } from './backoff.js';
export { Sequencer } from './sequencer.js';
export { Emitter } from './emitter.js';
export { isValidId, newId } from './ids.js';
export { dice, foldsOf, games, generic, rps, tactics } from './games/index.js';

// Client-chosen message ids (docs/protocol.md: 1–64 of letters, digits, `-`, `_`; new for each action).

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether the server accepts `id` as a message id. @param {unknown} id */
export function isValidId(id) {
  return typeof id === 'string' && ID.test(id);
}

/**
 * A new random id: a UUID where the platform offers one (browsers only in secure contexts), else 128 random bits
 * from getRandomValues as 22 base64url characters.
 * @returns {string}
 */
export function newId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') {
    c.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256); // no crypto at all: ids need only be unique
  }
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(value >> bits) & 63];
    }
  }
  if (bits > 0) out += alphabet[(value << (6 - bits)) & 63];
  return out;
}

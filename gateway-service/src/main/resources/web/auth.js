// Guest sign-in over HTTP (protocol.md, HTTP). The token lives in an HttpOnly cookie this code never sees.

export class SignInError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

async function errorOf(response) {
  try {
    const body = await response.json();
    if (body && typeof body.message === 'string') return new SignInError(body.message, body.code);
  } catch {
    // not JSON: fall through
  }
  return new SignInError(`The server answered ${response.status}. Try again.`, 'HTTP_' + response.status);
}

/**
 * The signed-in player `{player, name}`, or null when not signed in. Throws when the server cannot tell.
 * An expired access token (15 min) is renewed once with the refresh cookie before giving up, so a reconnecting
 * socket asking "still signed in?" gets a fresh token along with the answer.
 */
export async function currentPlayer() {
  const me = () => fetch('/api/auth/me', { headers: { Accept: 'application/json' }, cache: 'no-store' });
  let response = await me();
  if (response.status === 401) {
    if (!(await refreshSession())) return null;
    response = await me();
    if (response.status === 401) return null;
  }
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** Trades the refresh cookie for new tokens (both rotate). False when the sign-in is over. */
export async function refreshSession() {
  const response = await fetch('/api/auth/refresh', { method: 'POST', headers: { Accept: 'application/json' } });
  if (response.status === 401) return false;
  if (!response.ok) throw await errorOf(response);
  return true;
}

/** Signs in as a guest; throws SignInError with the server's message (e.g. INVALID_NAME). */
export async function signInAsGuest(name) {
  const response = await fetch('/api/auth/guest', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

export async function signOut() {
  await fetch('/api/auth/logout', { method: 'POST' });
}

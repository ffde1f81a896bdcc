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

/** The signed-in player `{player, name}`, or null when not signed in. Throws when the server cannot tell. */
export async function currentPlayer() {
  const response = await fetch('/api/auth/me', { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (response.status === 401) return null;
  if (!response.ok) throw await errorOf(response);
  return response.json();
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

// The roll permalink page (/roll/{id}): fetch the roll, rebuild its canonical bytes, verify the platform's
// detached JWS with WebCrypto against the published JWKS, show the roll. docs/protocol.md, Permalinks.
// Everything the server sends is shown with textContent, never parsed as HTML.

const ID = /^[A-Za-z0-9_-]{16}$/;
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

/** RFC 8785 (JCS) for the values a roll holds: sorted members, no whitespace, nulls left out, integers only. */
export function canonical(value) {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  switch (typeof value) {
    case 'object': {
      // Array.prototype.sort without a comparator orders by UTF-16 code units, exactly as JCS asks.
      const keys = Object.keys(value).filter((k) => value[k] !== null && value[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
    }
    case 'number':
      if (!Number.isSafeInteger(value)) throw new Error('not an integer: ' + value);
      return String(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    default:
      throw new Error('no canonical form for ' + typeof value);
  }
}

function b64urlToBytes(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('not base64url');
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function bytesToB64url(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function jwks(refresh) {
  const res = await fetch('/.well-known/jwks.json', { cache: refresh ? 'reload' : 'default' });
  if (!res.ok) throw new Error(`the platform's keys could not be loaded (HTTP ${res.status})`);
  return res.json();
}

/** Verifies a detached compact JWS (header..signature) over canonical(roll); throws with the reason on failure. */
export async function verify(roll, jws) {
  if (!globalThis.crypto?.subtle) throw new Error('this browser cannot check signatures here (WebCrypto needs HTTPS)');
  const parts = String(jws).split('.');
  if (parts.length !== 3 || parts[1] !== '') throw new Error('the signature is not a detached JWS');
  const [protectedHeader, , signature] = parts;
  const header = JSON.parse(new TextDecoder().decode(b64urlToBytes(protectedHeader)));
  if (header.alg !== 'ES256' || header.typ !== 'rf-roll' || typeof header.kid !== 'string') {
    throw new Error('the signature is not a Rune Forge roll signature (ES256, typ rf-roll)');
  }
  let keys = await jwks(false);
  let jwk = keys.keys?.find((k) => k.kid === header.kid);
  if (!jwk) {
    keys = await jwks(true);
    jwk = keys.keys?.find((k) => k.kid === header.kid);
  }
  if (!jwk) throw new Error(`the signing key ${header.kid} is not among the platform's published keys`);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Error('the signing key is not an EC P-256 key');
  const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ext: true },
    { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const payload = new TextEncoder().encode(canonical(roll));
  const input = new TextEncoder().encode(`${protectedHeader}.${bytesToB64url(payload)}`);
  // A JWS ES256 signature is r||s (64 bytes): the form WebCrypto takes.
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, b64urlToBytes(signature), input);
  if (!ok) throw new Error('the signature does not match this roll: it was changed after the platform signed it');
  return header.kid;
}

function status(state, text) {
  const el = $('verify-status');
  el.dataset.state = state;
  el.textContent = text;
}

function problem(title, message) {
  $('roll-error-title').textContent = title;
  $('roll-error-message').textContent = message;
  $('roll-error').hidden = false;
}

const when = (ms) => {
  const d = new Date(ms);
  return { iso: d.toISOString(), text: d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) };
};

function setTime(id, ms) {
  const el = $(id);
  const t = when(ms);
  el.dateTime = t.iso;
  el.textContent = t.text;
}

const signed = (n) => (n < 0 ? `− ${-n}` : `+ ${n}`);

function show(data) {
  const { roll } = data;
  $('roll-player').textContent = roll.name;
  // Advantage in words ("1d20+5 with advantage"): the formula is what the player asked for, the term the two d20s.
  const adv = { advantage: ' with advantage', disadvantage: ' with disadvantage' }[roll.advantage] || '';
  $('roll-formula').textContent = `${roll.formula}${adv}`;
  $('roll-label').textContent = roll.label ? ` for ${roll.label}` : '';
  const terms = $('roll-terms');
  terms.replaceChildren();
  for (const term of roll.terms) {
    const li = document.createElement('li');
    li.className = 'term';
    li.dataset.testid = 'roll-term';
    const label = document.createElement('span');
    label.className = 'notation';
    label.textContent = `${term.sign < 0 ? '−' : ''}${term.notation}`;
    const dice = document.createElement('span');
    dice.className = 'dice';
    for (const die of term.dice) {
      const d = document.createElement('span');
      d.className = `die${die.kept ? '' : ' dropped'}${die.exploded ? ' exploded' : ''}`;
      d.dataset.testid = 'die-value';
      d.dataset.kept = String(die.kept);
      d.textContent = String(die.value);
      d.title = `d${term.sides}: ${die.value}${die.kept ? '' : ' (dropped)'}${die.exploded ? ' (exploded)' : ''}`;
      dice.append(d);
    }
    const sub = document.createElement('span');
    sub.className = 'subtotal';
    sub.textContent = `= ${term.subtotal}`;
    li.append(label, dice, sub);
    terms.append(li);
  }
  $('roll-modifier').textContent = roll.modifier ? `modifier ${signed(roll.modifier)}` : '';
  $('roll-total').textContent = String(roll.total);
  if (roll.dc !== undefined && roll.dc !== null) {
    const dc = $('roll-dc');
    dc.hidden = false;
    dc.dataset.passed = String(roll.passed);
    dc.textContent = `DC ${roll.dc}: ${roll.passed ? 'success' : 'failure'}`;
  }
  setTime('roll-time', roll.rolledAt);
  if (roll.hidden && roll.revealedAt) {
    $('roll-revealed-label').hidden = false;
    $('roll-revealed-wrap').hidden = false;
    setTime('roll-revealed', roll.revealedAt);
  }
  setTime('roll-expires', data.expiresAt);
  $('roll-kid').textContent = data.kid;
  $('roll').hidden = false;
  document.title = `${roll.name} rolled ${roll.total} · Rune Forge`;
}

async function main() {
  const id = decodeURIComponent(location.pathname.replace(/^\/roll\//, '').replace(/\/$/, ''));
  if (!ID.test(id)) {
    status('none', 'Nothing to verify');
    problem('Not a roll link', 'Roll links end in a 16-character code of letters, digits, - and _. Check the link you were given.');
    return;
  }
  let res;
  try {
    res = await fetch(`/api/permalink/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
  } catch (e) {
    status('error', 'Could not check');
    problem('Offline?', 'The roll could not be loaded. Check your connection and reload.');
    return;
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    status('none', 'Nothing to verify');
    if (res.status === 404) {
      problem('Roll not found', data.message || 'This roll link is unknown or has expired (links last 30 days).');
    } else if (res.status === 400) {
      problem('Not a roll link', data.message || 'This is not a roll link.');
    } else {
      problem('Try again shortly', data.message || `The roll could not be loaded (HTTP ${res.status}).`);
    }
    return;
  }
  show(data);
  try {
    await verify(data.roll, data.jws);
    status('verified', 'Verified');
    $('verify-status').title = 'Signed by Rune Forge; checked in this browser';
  } catch (e) {
    status('failed', `Not verified: ${e.message}`);
  }
}

main();

// The SDK's pure parts: back-off, the seq bookkeeping, error mapping, ids, the cookie jar, room codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BACKOFF_DEFAULTS, ClientErrorCodes, CookieJar, ErrorCodes, RuneForgeError, Sequencer, backoffDelay, errorFromFrame,
  errorFromHttp, isRetryable, isValidId, newId, normalizeCode,
} from '../src/index.js';

test('back-off doubles from 0.5 s up to 10 s, jitter only shortens it', () => {
  const none = () => 0;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(n, {}, none)),
    [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  assert.equal(backoffDelay(Infinity, {}, none), BACKOFF_DEFAULTS.maxMs);
  const most = () => 0.999999;
  assert.equal(backoffDelay(3, { jitter: 0.2 }, most), Math.round(4000 * (1 - 0.2 * 0.999999)));
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(i % 8);
    assert.ok(d >= 0.8 * Math.min(500 * 2 ** (i % 8), 10_000) - 1 && d <= 10_000, String(d));
  }
  assert.equal(backoffDelay(2, { firstMs: 100, maxMs: 250, jitter: 0 }), 250);
});

const ev = (seq) => ({ seq, body: { type: 'x', n: seq } });

test('events come out in seq order, each once', () => {
  const s = new Sequencer(5);
  assert.equal(s.offer(ev(6)), true);
  assert.equal(s.offer(ev(6)), false, 'held twice');
  assert.equal(s.offer(ev(5)), false, 'already delivered (the view covers it)');
  assert.deepEqual(s.take().map((e) => e.seq), [6]);
  assert.equal(s.offer(ev(6)), false, 'delivered already');
  assert.equal(s.seq, 6);
  assert.equal(s.gap(), null);
});

test('a skipped seq is a gap; filling it releases what waited, in order', () => {
  const s = new Sequencer(1);
  s.offer(ev(4));
  s.offer(ev(5));
  assert.deepEqual(s.take(), [], 'nothing past a hole');
  assert.deepEqual(s.gap(), { after: 1, until: 3 });
  s.offer(ev(3));
  assert.deepEqual(s.gap(), { after: 1, until: 2 });
  s.offer(ev(2));
  assert.equal(s.gap(), null);
  assert.deepEqual(s.take(3).map((e) => e.seq), [2, 3], 'up to a limit');
  assert.deepEqual(s.take().map((e) => e.seq), [4, 5]);
  assert.equal(s.held, 0);
});

test('a fresh view skips what it covers; never backwards', () => {
  const s = new Sequencer(1);
  s.offer(ev(3));
  s.offer(ev(7));
  s.skipTo(5);
  assert.equal(s.seq, 5);
  assert.equal(s.held, 1, 'seq 3 is covered by the view');
  assert.deepEqual(s.gap(), { after: 5, until: 6 });
  s.skipTo(2);
  assert.equal(s.seq, 5);
  assert.equal(s.offer({ seq: 1.5 }), false, 'not a seq');
});

test('error frames and HTTP errors become RuneForgeErrors with code, message, ref', () => {
  const e = errorFromFrame({ type: 'error', code: 'ROOM_FULL', message: 'the room is full', ref: 'abc' });
  assert.ok(e instanceof RuneForgeError);
  assert.ok(e instanceof Error);
  assert.equal(e.code, ErrorCodes.ROOM_FULL);
  assert.equal(e.message, 'the room is full');
  assert.equal(e.ref, 'abc');
  assert.equal(e.name, 'RuneForgeError');
  assert.equal(e.retryMs, undefined);
  const busy = errorFromFrame({ type: 'error', code: 'BUSY', message: 'the table is busy', ref: 'r1', retryMs: 250 });
  assert.equal(busy.code, ErrorCodes.BUSY);
  assert.equal(busy.retryMs, 250);
  assert.equal(isRetryable(busy), true);
  assert.equal(errorFromFrame({ type: 'error', code: 'BUSY', retryMs: -1 }).retryMs, undefined);
  const bare = errorFromFrame({ type: 'error' });
  assert.equal(bare.code, 'INTERNAL');
  assert.equal(bare.ref, null);
  const http = errorFromHttp(400, { code: 'INVALID_NAME', message: 'bad name' });
  assert.equal(http.code, ErrorCodes.INVALID_NAME);
  assert.equal(http.status, 400);
  const html = errorFromHttp(502, null);
  assert.equal(html.code, 'HTTP_502');
  assert.equal(isRetryable(new RuneForgeError(ErrorCodes.UNAVAILABLE, 'x')), true);
  assert.equal(isRetryable(new RuneForgeError(ClientErrorCodes.NOT_CONNECTED, 'x')), true);
  assert.equal(isRetryable(new RuneForgeError(ErrorCodes.ROOM_FULL, 'x')), false);
  assert.equal(isRetryable(new Error('x')), false);
});

test('every error code of docs/protocol.md is a constant whose value is the code', async () => {
  const { readFile } = await import('node:fs/promises');
  const doc = await readFile(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Error codes'), doc.indexOf('## Connections'));
  const codes = new Set([...section.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
  assert.ok(codes.size >= 55, `found ${codes.size} codes`);
  for (const code of codes) assert.equal(ErrorCodes[code], code, code);
  for (const [k, v] of Object.entries(ErrorCodes)) assert.equal(k, v);
  for (const k of Object.keys(ClientErrorCodes)) assert.equal(ErrorCodes[k], undefined, `${k} is the client's own`);
});

test('ids: new ones are valid and different; the server rule is enforced', () => {
  const a = newId();
  assert.ok(isValidId(a), a);
  assert.notEqual(a, newId());
  for (const bad of ['', 'a b', 'x'.repeat(65), 'é', null, 3]) assert.equal(isValidId(bad), false, String(bad));
  assert.ok(isValidId('x'.repeat(64)));
});

test('the cookie jar keeps what Set-Cookie says, by path, until it expires', () => {
  let now = 1_000_000;
  const jar = new CookieJar(() => now);
  jar.store(['rf_token=abc.def; Path=/; Max-Age=900; HttpOnly; SameSite=Strict',
    'rf_refresh=r1; Path=/api/auth; Max-Age=1209600; HttpOnly; SameSite=Strict',
    'rf_device=dev123; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax']);
  assert.equal(jar.get('rf_token'), 'abc.def');
  assert.equal(jar.header('/ws'), 'rf_token=abc.def; rf_device=dev123');
  assert.equal(jar.header('/api/auth/refresh'), 'rf_token=abc.def; rf_refresh=r1; rf_device=dev123');
  assert.equal(jar.header('/api/authors'), 'rf_token=abc.def; rf_device=dev123', 'a path prefix is a whole segment');
  now += 901_000;
  assert.equal(jar.get('rf_token'), undefined, 'expired');
  jar.store(['rf_refresh=; Path=/api/auth; Max-Age=0']);
  assert.equal(jar.get('rf_refresh'), undefined, 'cleared');
  assert.equal(jar.header('/'), 'rf_device=dev123');
});

test('room codes as typed become the server form', () => {
  assert.equal(normalizeCode(' wolf 1234 '), 'WOLF-1234');
  assert.equal(normalizeCode('Wolf-1234'), 'WOLF-1234');
  assert.equal(normalizeCode('wolf1234'), 'WOLF-1234');
  assert.equal(normalizeCode('?'), '?');
  assert.equal(normalizeCode(' wolf rune 1234 '), 'WOLF-RUNE-1234');
  assert.equal(normalizeCode('Wolf-Rune-1234'), 'WOLF-RUNE-1234');
  assert.equal(normalizeCode('wolf-rune1234'), 'WOLF-RUNE-1234');
});

// The SDK against a real running platform (RF_BASE_URL; the Java test ClientSdkIT starts one on real NATS and
// PostgreSQL and runs this file): sign-in, create/join, typed errors, resume after a forced disconnect with the
// missed events delivered once and in order by `resumed` (no replay asked for), an action retried with the same id
// applied once and answered each time, and the tactics fold agreeing with the server's own view.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  ClientErrorCodes, ErrorCodes, RuneForgeClient, RuneForgeError, State, dice, tactics,
} from '../src/index.js';

const BASE_URL = (process.env.RF_BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');
const WAIT = 15_000;

/** @type {RuneForgeClient[]} */
const clients = [];
after(() => {
  for (const c of clients) c.close();
});

/**
 * A client whose sockets the test can kill and keep out: `net.kill()` ends the live socket at once (no close
 * handshake, as a dead network does), `net.down` makes new sockets fail to connect, `net.lose(text)` loses every
 * frame from the server that holds `text`, `net.onSend` sees what the client sends, `net.frames` what reached it
 * (parsed, with the socket's number as `socket`), `net.fetched` the HTTP requests it made (method and path).
 */
function player(options = {}) {
  const net = { sockets: [], down: false, onSend: null, losing: null, frames: [], fetched: [] };
  class Tracked extends WebSocket {
    constructor(url, opts) {
      // While the network is down, sockets go nowhere (port 1 refuses).
      super(net.down ? 'ws://127.0.0.1:1/ws' : url, opts);
      net.sockets.push(this);
    }

    send(data, ...rest) {
      super.send(data, ...rest);
      net.onSend?.(JSON.parse(String(data)), this);
    }

    get onmessage() {
      return super.onmessage;
    }

    set onmessage(listener) {
      const socket = net.sockets.indexOf(this);
      super.onmessage = listener && ((e) => {
        if (net.losing && String(e.data).includes(net.losing)) return;
        net.frames.push({ ...JSON.parse(String(e.data)), socket });
        listener(e);
      });
    }
  }
  net.lose = (text) => {
    net.losing = text;
  };
  net.kill = () => net.sockets.at(-1)?.terminate();
  /** @type {typeof fetch} */
  const fetching = (url, init) => {
    net.fetched.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`);
    return fetch(url, init);
  };
  const client = new RuneForgeClient({
    baseUrl: BASE_URL, WebSocket: Tracked, fetch: fetching, backoff: { firstMs: 100, maxMs: 500 }, ...options,
  });
  clients.push(client);
  const events = [];
  client.on('event', (e) => events.push(e));
  return { client, net, events };
}

async function signedIn(name, options) {
  const p = player(options);
  const me = await p.client.signInAsGuest(name);
  await p.client.connect();
  return { ...p, me };
}

/** Polls until `check()` is truthy. */
async function until(check, what, ms = WAIT) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('guest sign-in: a refused name is a typed error; the sign-in holds, refreshes and ends', async () => {
  const { client } = player();
  await assert.rejects(client.signInAsGuest('<script>'), (e) => {
    assert.ok(e instanceof RuneForgeError);
    assert.equal(e.code, ErrorCodes.INVALID_NAME);
    assert.equal(e.status, 400);
    return true;
  });
  const me = await client.signInAsGuest('Ada Lovelace');
  assert.match(me.player, /^g-/);
  assert.equal(me.name, 'Ada Lovelace');
  assert.ok(client.http.accessToken, 'Node keeps the token');
  assert.equal((await client.currentPlayer()).player, me.player);
  assert.equal(await client.http.refresh(), true);
  assert.equal((await client.currentPlayer()).player, me.player, 'the same player after a refresh');
  const welcome = await client.connect();
  assert.deepEqual(welcome, { player: me.player, name: 'Ada Lovelace' });
  assert.equal(client.state, State.CONNECTED);
  assert.ok((await client.ping()) >= 0);
  await client.signOut();
  assert.equal(await client.currentPlayer(), null, 'signed out: no refresh either');
  await assert.rejects(client.connect(), { code: ClientErrorCodes.SIGNED_OUT });
});

test('a socket with no sign-in is refused before any WebSocket: connect says SIGNED_OUT', async () => {
  const { client } = player();
  await assert.rejects(client.connect(), { code: ClientErrorCodes.SIGNED_OUT });
});

test('create and join a dice room; rolls reach both, in order, once; refusals are typed', async () => {
  const ada = await signedIn('Ada');
  const bob = await signedIn('Bob');
  const room = await ada.client.create('dice', { mode: 'dm-led' });
  assert.match(room.code, /^[A-Z]+-[A-Z]+-\d{4}$/);
  assert.equal(room.state.dm, ada.me.player);
  await assert.rejects(bob.client.join('NOPE-0000'), { code: ErrorCodes.ROOM_NOT_FOUND });
  const bobRoom = await bob.client.join(room.code.toLowerCase().replace('-', ' '));
  assert.equal(bobRoom.id, room.id);
  await assert.rejects(bob.client.create('dice'), { code: ErrorCodes.ALREADY_IN_SESSION });
  await until(() => room.state.players.length === 2, 'Bob in Ada\'s state');

  const rolls = [];
  for (const f of ['1d20', '2d6+3', '4d6kh3']) rolls.push(await dice.roll(ada.client.session, f));
  rolls.push(await dice.roll(bobRoom, 'd100'));
  await until(() => bobRoom.state.rolls.length === 4 && room.state.rolls.length === 4, 'four rolls on both sides');
  assert.deepEqual(bobRoom.state.rolls.map((r) => r.id), rolls.map((r) => r.id));
  assert.deepEqual(room.state.rolls.map((r) => r.total), rolls.map((r) => r.total));
  const seqs = bob.events.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in seq order');
  assert.equal(new Set(seqs).size, seqs.length, 'each once');

  const secret = await dice.roll(room, '1d20', { hidden: true });
  assert.equal(typeof secret.total, 'number', 'the DM sees a hidden roll whole');
  const seen = await bobRoom.waitFor((s) => s.rolls.find((r) => r.id === secret.id));
  assert.equal(seen.total, undefined, 'Bob does not');
  await assert.rejects(dice.roll(bobRoom, '1d20', { hidden: true }), { code: ErrorCodes.HIDDEN_NOT_ALLOWED });
  await assert.rejects(dice.roll(bobRoom, 'banana'), (e) => e.code === ErrorCodes.INVALID_DICE_FORMAT && typeof e.ref === 'string');
  for (let i = 0; i < 2; i++) { // the same refused id again: refused again, typed, naming it
    await assert.rejects(bobRoom.act({ type: 'roll', formula: 'banana' }, { id: 'refused-twice' }), (e) => {
      assert.ok(e instanceof RuneForgeError);
      assert.equal(e.code, ErrorCodes.INVALID_DICE_FORMAT);
      assert.equal(e.ref, 'refused-twice');
      assert.equal(e.maybeApplied, false);
      return true;
    });
  }
  await assert.rejects(dice.setDc(bobRoom, 12), { code: ErrorCodes.NOT_DM });
  await assert.rejects(dice.setDc(room, 99), { code: ErrorCodes.INVALID_DC });
  await assert.rejects(dice.kick(room, ada.me.player), { code: ErrorCodes.CANNOT_KICK_SELF });
  await dice.reveal(room, secret.id);
  await bobRoom.waitFor((s) => s.rolls.find((r) => r.id === secret.id && r.total === secret.total));
  const page = await dice.history(bobRoom, { before: rolls[1].id, limit: 5 });
  assert.deepEqual(page.rolls.map((r) => r.id), [rolls[0].id]);
  assert.equal(page.more, false);

  await bobRoom.leave();
  assert.equal(bob.client.session, null);
  await until(() => room.state.players.length === 1, 'Bob gone from Ada\'s state');
});

test('resume after a forced disconnect: `resumed` brings the missed events once and in order, then live ones; no replay', async () => {
  const ada = await signedIn('Ada');
  const bob = await signedIn('Bob');
  const room = await ada.client.create('dice', { mode: 'open' });
  const bobRoom = await bob.client.join(room.code);
  await dice.roll(bobRoom, '1d4');
  await until(() => bob.events.some((e) => e.body.type === 'rolled'), 'Bob sees his roll');
  const syncs = [];
  bob.client.on('sync', (info) => syncs.push(info));

  bob.net.down = true;
  bob.net.kill();
  await until(() => bob.client.state !== State.CONNECTED, 'Bob disconnected');
  assert.equal(bobRoom.synced, false);
  await until(() => room.state.players.find((p) => p.name === 'Bob' && !p.connected), 'Ada sees Bob offline');
  const lastSeen = bobRoom.seq;
  const missed = [];
  for (const f of ['1d6', '1d8', '1d10', '1d12', '1d20']) missed.push((await dice.roll(room, f)).id);
  await dice.setDc(room, 12).catch(() => {}); // not the DM in an open room: refused, nothing happens
  const missedUntil = room.seq;
  const socketsBefore = bob.net.sockets.length;

  bob.net.down = false;
  await until(() => bob.client.state === State.CONNECTED && bobRoom.synced, 'Bob back and in sync');
  await dice.roll(room, '2d20');
  await until(() => bobRoom.state.rolls.length === 7, 'Bob has every roll');

  const hello = bob.net.frames.filter((f) => f.socket >= socketsBefore);
  const resumed = hello.filter((f) => f.type === 'resumed');
  assert.deepEqual(resumed.map((f) => [f.session, f.seq]), [[room.id, lastSeen]], 'one resumed, as of Bob\'s last seq');
  assert.equal(hello.filter((f) => f.type === 'joined').length, 0, 'no fresh view: the missed events came instead');
  const after = bob.events.filter((e) => e.seq > lastSeen);
  const seqs = after.map((e) => e.seq);
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => lastSeen + 1 + i), 'every seq, in order, once');
  const caught = after.filter((e) => e.catchUp);
  assert.deepEqual(caught.map((e) => e.seq), Array.from({ length: missedUntil - lastSeen }, (_, i) => lastSeen + 1 + i),
    'exactly the missed events, as catch-up');
  assert.deepEqual(caught.filter((e) => e.body.type === 'rolled').map((e) => e.body.roll.id), missed, 'the missed rolls');
  const resumedAt = bob.net.frames.indexOf(resumed[0]);
  const eventFrames = bob.net.frames.slice(resumedAt + 1).filter((f) => f.type === 'event').slice(0, caught.length);
  assert.deepEqual(eventFrames.map((f) => f.seq), caught.map((e) => e.seq), 'each sent once, right after resumed');
  assert.ok(after.some((e) => !e.catchUp && e.body.type === 'rolled'), 'then live ones');
  assert.deepEqual(syncs[0], { reason: 'resume' }, 'nothing missed for good');
  assert.deepEqual(bobRoom.state.rolls.map((r) => r.id), room.state.rolls.map((r) => r.id));
  assert.equal(bob.client.session, bobRoom, 'the same session goes on');
  await until(() => room.state.players.find((p) => p.name === 'Bob' && p.connected), 'Ada sees Bob online');
  assert.deepEqual(bob.net.fetched.filter((r) => r.includes('/replay')), [], 'no replay asked for');
});

test('an action whose answer is lost with its socket goes again with the same id, is answered, and is applied once', async () => {
  const ada = await signedIn('Ada');
  const room = await ada.client.create('dice');
  // The roll is applied, but its answer and its event never arrive, and then the socket dies: the resume brings
  // the event, and the SDK sends the roll again with the same id, which the platform answers without applying it.
  const sent = [];
  ada.net.onSend = (m, socket) => {
    sent.push(m);
    if (m.type === 'action' && m.id === 'lost-answer-1' && sent.filter((x) => x.id === m.id).length === 1) {
      ada.net.lose('lost-answer-1');
      setTimeout(() => {
        ada.net.lose(null);
        socket.terminate();
      }, 500);
    }
  };
  const roll = await dice.roll(room, '3d6', { id: 'lost-answer-1', timeoutMs: WAIT });
  assert.equal(roll.action, `${ada.me.player}:lost-answer-1`);
  assert.ok(ada.net.sockets.length >= 2, 'it reconnected');
  assert.equal(sent.filter((m) => m.id === 'lost-answer-1').length, 2, 'sent again after the resume');
  const answers = () => ada.net.frames.filter((f) => f.type === 'accepted' && f.id === 'lost-answer-1');
  assert.equal(answers().length, 1, 'the copy was answered (the first answer was lost)');
  assert.ok(answers()[0].socket >= 1, 'on the new socket');
  assert.ok(ada.events.some((e) => e.catchUp && e.body.type === 'rolled' && e.body.roll.id === roll.id),
    'its event came with the resume');

  // Sent again by hand with the same id: the platform answers it again and applies it once.
  assert.deepEqual(await room.act({ type: 'roll', formula: '3d6' }, { id: 'lost-answer-1' }),
    { id: 'lost-answer-1', session: room.id });
  assert.equal(sent.filter((m) => m.id === 'lost-answer-1').length, 3);
  assert.equal(answers().length, 2, 'answered both times');
  const page = await dice.history(room, { before: null, limit: 100 });
  assert.equal(page.rolls.filter((r) => r.action === `${ada.me.player}:lost-answer-1`).length, 1, 'applied once');
  assert.equal(room.state.rolls.filter((r) => r.action === `${ada.me.player}:lost-answer-1`).length, 1, 'seen once');
  assert.deepEqual(ada.net.fetched.filter((r) => r.includes('/replay')), [], 'no replay asked for');
});

test('the same id twice on a live socket: applied once, answered twice', async () => {
  const ada = await signedIn('Ada');
  const room = await ada.client.create('dice');
  const first = await dice.roll(room, '1d12', { id: 'twice-live' });
  assert.deepEqual(await room.act({ type: 'roll', formula: '1d12' }, { id: 'twice-live' }),
    { id: 'twice-live', session: room.id });
  assert.equal(ada.net.frames.filter((f) => f.type === 'accepted' && f.id === 'twice-live').length, 2);
  await dice.roll(room, '1d4'); // whatever the copy did would show before this
  assert.deepEqual(room.state.rolls.filter((r) => r.action === `${ada.me.player}:twice-live`).map((r) => r.id), [first.id]);
});

test('a kicked player who resumes is told the session is gone; a rejoin is KICKED', async () => {
  const ada = await signedIn('Ada');
  const bob = await signedIn('Bob');
  const room = await ada.client.create('dice');
  const bobRoom = await bob.client.join(room.code);
  const ended = [];
  bob.client.on('left', (info) => ended.push(info));
  bob.net.down = true;
  bob.net.kill();
  await until(() => room.state.players.find((p) => p.name === 'Bob' && !p.connected), 'Bob offline');
  await dice.kick(room, bob.me.player);
  bob.net.down = false;
  await until(() => ended.length === 1, 'Bob\'s session ended');
  assert.equal(ended[0].reason, 'gone');
  assert.equal(ended[0].error.code, ErrorCodes.NOT_IN_ROOM);
  assert.ok(bobRoom.ended);
  await until(() => bob.client.connected, 'Bob connected');
  await assert.rejects(bob.client.join(room.code), { code: ErrorCodes.KICKED });
});

test('tactics: the SDK fold of the events equals the server\'s own view', async () => {
  const host = await signedIn('Host');
  const guest = await signedIn('Guest');
  const enc = await host.client.create('tactics', { scenario: 'duel', turnSeconds: 0 });
  assert.equal(enc.game, 'tactics');
  const joined = await guest.client.join(enc.code);
  const raider = joined.state.units.find((u) => u.side !== joined.state.units[0].side);
  await tactics.claim(joined, raider.id);
  await assert.rejects(tactics.claim(enc, raider.id), { code: ErrorCodes.UNIT_TAKEN });
  await assert.rejects(tactics.start(joined), { code: ErrorCodes.NOT_HOST });
  await tactics.start(enc);
  await until(() => joined.state.phase === 'battle' && enc.state.phase === 'battle', 'the battle on both sides');
  for (let turn = 0; turn < 4 && enc.state.phase === 'battle'; turn++) {
    // Each side's view of whose turn it is arrives on its own socket: wait until one of them has it (a side
    // that reads the turn before its event arrived found no mover, a flake seen once in CI).
    const mover = await until(() => [host, guest].find((p) => tactics.myTurnUnit(p.client.session.state, p.me.player)),
      'a side whose turn it is');
    const s = mover.client.session;
    const unit = tactics.myTurnUnit(s.state, mover.me.player);
    const reach = [...tactics.reachable(s.state, unit, unit.speed - s.state.moved).keys()];
    if (reach.length) {
      const [x, y] = reach[0].split(',').map(Number);
      await tactics.move(s, { x, y });
    }
    const target = tactics.targets(s.state, tactics.unitById(s.state, unit.id))[0];
    if (target) await tactics.attack(s, target.id);
    if (s.state.phase !== 'battle') break;
    const before = s.state.current;
    await tactics.endTurn(s);
    await until(() => enc.state.current !== before && joined.state.current !== before, 'the next turn');
  }
  const fresh = await guest.client.join(enc.code); // joining again as a member: a fresh view of the same session
  assert.equal(fresh, joined);
  const server = tactics.init({ view: fresh.view });
  const folded = host.client.session.state;
  for (const key of ['phase', 'order', 'current', 'round', 'moved', 'attacked', 'winner']) {
    assert.deepEqual(folded[key] ?? null, server[key] ?? null, key);
  }
  assert.deepEqual(folded.units.map((u) => [u.id, u.x, u.y, u.hp, u.owner ?? null]),
    server.units.map((u) => [u.id, u.x, u.y, u.hp, u.owner ?? null]));
  assert.deepEqual(folded.log.map((e) => e.type), server.log.map((e) => e.type));
});

// The client against an in-memory stand-in for the gateway (fake-server.mjs, which behaves as the server does now):
// requests and their answers, events in order and once, the resume after a drop (`resumed` and exactly the missed
// events, or a fresh view), a hole as a safety net, actions retried with the same id (after a drop, BUSY,
// UNAVAILABLE) and answered each time, typed errors.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientErrorCodes, ErrorCodes, RuneForgeClient, RuneForgeError, State, dice } from '../src/index.js';
import { FakeServer, until } from './fake-server.mjs';

/** @type {RuneForgeClient[]} */
const clients = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function setup(options = {}) {
  const server = new FakeServer();
  const client = new RuneForgeClient({
    baseUrl: 'http://rf.test', WebSocket: server.WebSocket, fetch: server.fetch,
    backoff: { firstMs: 5, maxMs: 20, jitter: 0 }, retryBackoff: { firstMs: 5, maxMs: 20, jitter: 0 },
    answerTimeoutMs: 500, ...options,
  });
  clients.push(client);
  const events = [];
  const syncs = [];
  client.on('event', (e) => events.push(e));
  client.on('sync', (info) => syncs.push(info));
  return { server, client, events, syncs };
}

async function inRoom(options) {
  const t = setup(options);
  await t.client.signInAsGuest('Ada');
  await t.client.connect();
  const session = await t.client.create('dice', { mode: 'open' });
  return { ...t, session };
}

test('sign-in, connect, create: the session holds the folded dice state', async () => {
  const { server, client, session } = await inRoom();
  assert.equal(client.state, State.CONNECTED);
  assert.deepEqual(client.me, { player: 'g-1', name: 'Ada' });
  assert.deepEqual(server.hellos, [{ type: 'hello', v: 1 }]);
  assert.equal(server.socket.options.headers.Authorization, 'Bearer tok', 'Node: the token as a Bearer header');
  assert.equal(session.code, 'WOLF-1234');
  assert.equal(session.game, 'dice');
  assert.equal(session.seq, 1);
  assert.equal(session.state.creator, 'g-1');
  assert.equal(client.session, session);
  const rtt = await client.ping();
  assert.ok(rtt >= 0);
});

test('actions resolve on accepted; a refusal is a typed error naming the action', async () => {
  const { session } = await inRoom();
  const r = await dice.roll(session, '2d6');
  assert.equal(r.formula, '2d6');
  assert.equal(r.action, `g-1:${session.state.rolls[0].action.split(':')[1]}`);
  await assert.rejects(session.act({ type: 'roll', formula: 'banana' }, { id: 'bad-1' }), (e) => {
    assert.ok(e instanceof RuneForgeError);
    assert.equal(e.code, ErrorCodes.INVALID_DICE_FORMAT);
    assert.equal(e.ref, 'bad-1');
    return true;
  });
  const page = await dice.history(session);
  assert.deepEqual(page, { rolls: [], more: false });
  await assert.rejects(session.act({ type: 'roll', formula: '1d4' }, { id: 'not an id' }), { code: 'BAD_MESSAGE' });
});

test('join by code: ROOM_NOT_FOUND is a typed error; a code is normalized', async () => {
  const { client, server } = await inRoom();
  await assert.rejects(client.join('nope 1'), { code: 'ROOM_NOT_FOUND' });
  const again = await client.join('wolf 1234');
  assert.equal(again.id, 's1');
  assert.equal(server.received.filter((m) => m.type === 'join').at(-1).code, 'WOLF-1234');
});

test('a duplicate or stale event is dropped', async () => {
  const { server, events } = await inRoom();
  const e = server.event({ type: 'dc_set', dc: 5 });
  await until(() => events.length === 1);
  server.socket.onmessage({ data: JSON.stringify({ type: 'event', session: 's1', seq: e.seq, body: e.body }) });
  server.socket.onmessage({ data: JSON.stringify({ type: 'event', session: 's1', seq: 1, body: {} }) });
  server.socket.onmessage({ data: JSON.stringify({ type: 'event', session: 'other', seq: 3, body: {} }) });
  server.event({ type: 'dc_set', dc: 6 });
  await until(() => events.length === 2);
  assert.deepEqual(events.map((x) => x.seq), [2, 3]);
});

test('after a drop: the resume brings exactly the missed events, once, in order, then live ones; no replay', async () => {
  const { server, client, events, session, syncs } = await inRoom();
  const states = [];
  client.on('state', (s) => states.push(s));
  server.event({ type: 'dc_set', dc: 1 });
  await until(() => events.length === 1);
  server.drop();
  await until(() => client.state !== State.CONNECTED);
  assert.equal(session.synced, false);
  server.refuse = true; // down for a moment: the back-off retries
  await new Promise((r) => setTimeout(r, 40));
  server.event({ type: 'dc_set', dc: 2 }); // nobody there to hear these
  server.event({ type: 'dc_set', dc: 3 });
  server.refuse = false;
  await until(() => syncs.length === 1, 2000, 'the resume');
  assert.deepEqual(server.hellos.at(-1), { type: 'hello', v: 1, resume: { session: 's1', lastSeq: 2 } });
  assert.deepEqual(server.sent.filter((m) => m.type === 'resumed'), [{ type: 'resumed', session: 's1', seq: 2 }]);
  assert.deepEqual(events.map((e) => [e.seq, e.body.dc, e.catchUp]), [[2, 1, false], [3, 2, true], [4, 3, true]],
    'the missed events came before the sync');
  server.event({ type: 'dc_set', dc: 4 });
  await until(() => events.length === 4);
  assert.deepEqual(events.at(-1).catchUp, false, 'then live ones');
  assert.deepEqual(syncs, [{ reason: 'resume' }], 'nothing missed for good');
  assert.equal(session.synced, true);
  assert.equal(session.state.dc, 4);
  assert.ok(states.includes(State.RECONNECTING));
  assert.equal(client.session, session, 'the same session object goes on');
  assert.deepEqual(server.replayRequests, [], 'no replay asked for');
});

test('a resume with nothing missed: resumed, in sync at once', async () => {
  const { server, events, session, syncs } = await inRoom();
  server.drop();
  await until(() => syncs.length === 1, 2000, 'the resume');
  assert.deepEqual(syncs, [{ reason: 'resume' }]);
  assert.equal(events.length, 0);
  assert.equal(session.seq, 1);
  assert.equal(session.synced, true);
});

test('when the server no longer keeps the missed events, its fresh view replaces the state and sync says what was missed', async () => {
  const { server, events, session, syncs } = await inRoom();
  server.drop();
  await until(() => !session.synced);
  server.refuse = true;
  server.resumeWindow = 0;
  await new Promise((r) => setTimeout(r, 20));
  server.event({ type: 'rolled', roll: { id: 'x1', action: 'g-2:a', player: 'g-2', name: 'Bo', at: 1, hidden: false, total: 3 } });
  server.refuse = false;
  await until(() => syncs.length === 1, 2000, 'the resync');
  assert.deepEqual(syncs[0], { reason: 'resume', missed: { after: 1, until: 2 } });
  assert.equal(events.length, 0);
  assert.equal(session.seq, 2);
  assert.deepEqual(session.state.rolls.map((r) => r.id), ['x1'], 'the view has it');
  assert.deepEqual(server.replayRequests, []);
});

test('a hole (the server never leaves one) makes the client resume on a new socket; a second one asks for a view', async () => {
  const { server, events, session, syncs } = await inRoom();
  server.mute = true;
  server.event({ type: 'dc_set', dc: 2 }); // lost on the way
  server.mute = false;
  server.event({ type: 'dc_set', dc: 3 });
  await until(() => syncs.length === 1, 2000, 'the resume');
  assert.equal(server.sockets.length, 2, 'a new socket');
  assert.deepEqual(server.hellos.at(-1).resume, { session: 's1', lastSeq: 1 });
  assert.deepEqual(events.map((e) => [e.seq, e.catchUp]), [[2, true], [3, true]], 'each once, in order');
  assert.deepEqual(syncs, [{ reason: 'resume' }]);

  server.mute = true;
  server.event({ type: 'dc_set', dc: 4 });
  server.mute = false;
  server.event({ type: 'dc_set', dc: 5 });
  await until(() => syncs.length === 2, 2000, 'the second resume');
  assert.deepEqual(server.hellos.at(-1).resume, { session: 's1', lastSeq: 0 }, 'a fresh view, this time');
  assert.deepEqual(syncs[1], { reason: 'resume', missed: { after: 3, until: 5 } });
  assert.equal(session.state.dc, 5);
  assert.equal(events.length, 2);
  assert.deepEqual(server.replayRequests, []);
});

test('an action whose answer was lost goes again with the same id after the resume, is answered, and is applied once', async () => {
  const { server, session, events } = await inRoom();
  server.holdAnswers = true; // applied, but the accepted never comes: the socket drops first
  const pending = session.act({ type: 'roll', formula: '1d20' }, { id: 'roll-once' });
  await until(() => server.applied.has('roll-once'));
  server.mute = true; // the roll's event is lost too
  server.drop();
  server.mute = false;
  server.holdAnswers = false;
  const result = await pending;
  assert.deepEqual(result, { id: 'roll-once', session: 's1' });
  assert.equal(server.copies('roll-once').length, 2, 'sent again');
  assert.equal(server.sent.filter((m) => m.type === 'accepted' && m.id === 'roll-once').length, 1,
    'the copy answered (the first answer was lost)');
  assert.equal(server.session.rolls.filter((r) => r.action === 'g-1:roll-once').length, 1, 'applied once');
  assert.equal(session.state.rolls.filter((r) => r.action === 'g-1:roll-once').length, 1, 'seen once');
  assert.deepEqual(events.map((e) => [e.seq, e.catchUp]), [[2, true]], 'its event came with the resume');
  assert.deepEqual(server.replayRequests, []);
});

test('an action never stored goes again after the resume and gets its answer', async () => {
  const { server, session } = await inRoom();
  server.drop();
  server.refuse = true;
  await until(() => !session.synced);
  await assert.rejects(session.act({ type: 'roll', formula: '1d4' }), { code: ClientErrorCodes.NOT_CONNECTED });
  server.refuse = false;
  await until(() => session.synced, 2000, 'the resume');
  // Sent on a socket that then dies before the server read it: the resume re-sends it.
  const sock = server.socket;
  const send = sock.send.bind(sock);
  sock.send = () => {
    sock.send = send;
    server.drop();
  };
  const roll = await dice.roll(session, '1d6', { id: 'lost-in-transit' });
  assert.equal(roll.formula, '1d6');
  assert.equal(server.copies('lost-in-transit').length, 1, 'the server got it once');
});

test('the same id sent twice is applied once and answered both times', async () => {
  const { server, session } = await inRoom();
  await session.act({ type: 'roll', formula: '1d8' }, { id: 'twice' });
  assert.deepEqual(await session.act({ type: 'roll', formula: '1d8' }, { id: 'twice' }), { id: 'twice', session: 's1' });
  assert.equal(server.session.rolls.length, 1);
  // A refusal is answered again too (the game decides again what it did not apply).
  for (let i = 0; i < 2; i++) {
    await assert.rejects(session.act({ type: 'roll', formula: 'banana' }, { id: 'bad-twice' }),
      { code: ErrorCodes.INVALID_DICE_FORMAT, ref: 'bad-twice', maybeApplied: false });
  }
});

test('BUSY: the action goes again with the same id after retryMs, and is applied once', async () => {
  const { server, session } = await inRoom();
  server.busy = 2;
  server.busyRetryMs = 40;
  const started = Date.now();
  const roll = await dice.roll(session, '2d4', { id: 'busy-1' });
  assert.ok(Date.now() - started >= 75, `waited what the server asked twice (${Date.now() - started} ms)`);
  assert.equal(roll.action, 'g-1:busy-1');
  assert.equal(server.copies('busy-1').length, 3);
  assert.equal(server.session.rolls.length, 1);
});

test('BUSY beyond maxRetries: a typed BUSY with retryMs, maybe applied; UNAVAILABLE is retried alike', async () => {
  const { server, session } = await inRoom({ maxRetries: 2 });
  server.busy = 5;
  await assert.rejects(session.act({ type: 'roll', formula: '1d6' }, { id: 'too-busy' }), (e) => {
    assert.ok(e instanceof RuneForgeError);
    assert.equal(e.code, ErrorCodes.BUSY);
    assert.equal(e.ref, 'too-busy');
    assert.equal(e.retryMs, server.busyRetryMs);
    assert.equal(e.maybeApplied, true, 'the gateway says BUSY too when its deadline passed in a game\'s hands');
    return true;
  });
  assert.equal(server.copies('too-busy').length, 3, 'the first and two retries');
  server.busy = 0;
  server.unavailable = 2;
  const r = await session.act({ type: 'roll', formula: '1d6' }, { id: 'unavail' });
  assert.equal(r.id, 'unavail');
  assert.equal(server.copies('unavail').length, 3);
  assert.equal(server.session.rolls.length, 1);
});

test('actions keep their order across a BUSY retry: the next waits for the one before it', async () => {
  const { server, session } = await inRoom();
  server.busy = 1;
  const a = session.act({ type: 'roll', formula: '1d4' }, { id: 'first' });
  const b = session.act({ type: 'roll', formula: '1d6' }, { id: 'second' });
  await Promise.all([a, b]);
  assert.deepEqual(server.received.filter((m) => m.type === 'action').map((m) => m.id), ['first', 'first', 'second']);
  assert.deepEqual(server.session.rolls.map((r) => r.action), ['g-1:first', 'g-1:second']);
});

test('a query refused BUSY is asked again and resolves with its result', async () => {
  const { server, session } = await inRoom();
  server.busy = 1;
  assert.deepEqual(await dice.history(session), { rolls: [], more: false });
  assert.equal(server.received.filter((m) => m.type === 'action').length, 2);
});

test('a resume refused BUSY or UNAVAILABLE is tried again on a new socket', async () => {
  const { server, client, session, syncs } = await inRoom();
  const left = [];
  client.on('left', (info) => left.push(info));
  server.resumeErrors.push({ code: 'BUSY', retryMs: 10 }, { code: 'UNAVAILABLE' });
  server.drop();
  await until(() => syncs.length === 1, 3000, 'the resume');
  assert.equal(server.hellos.filter((h) => h.resume).length, 3);
  assert.deepEqual(left, []);
  assert.equal(session.synced, true);
});

test('the events a resume brings may close the room: the session ends, closed, and the client leaves it', async () => {
  const { server, client, session, events } = await inRoom();
  const left = [];
  client.on('left', (info) => left.push(info));
  server.refuse = true;
  server.drop();
  await until(() => !session.synced);
  server.event({ type: 'room_closed', reason: 'expired' });
  server.refuse = false;
  await until(() => left.length === 1, 2000, 'the end');
  assert.deepEqual(left, [{ reason: 'closed' }]);
  assert.deepEqual(events.map((e) => [e.body.type, e.catchUp]), [['room_closed', true]], 'closed while away');
  assert.equal(session.state.closed, 'expired');
  assert.equal(client.session, null);
  assert.equal(server.received.at(-1).type, 'leave');
});

test('session.replay() reads the REST replay (a finished session\'s steps)', async () => {
  const { server, session } = await inRoom();
  server.event({ type: 'dc_set', dc: 7 });
  const { game, steps } = await session.replay();
  assert.equal(game, 'dice');
  assert.deepEqual(steps.map((s) => s.seq), [1, 2]);
  assert.deepEqual(server.replayRequests, ['/api/sessions/s1/replay']);
});

test('a resume the server refuses ends the session as gone', async () => {
  const { server, client, session } = await inRoom();
  const left = [];
  client.on('left', (info, s) => left.push([info.reason, info.error?.code, s.id]));
  server.session.gone = true;
  server.drop();
  await until(() => left.length === 1, 2000, 'the end');
  assert.deepEqual(left, [['gone', 'NOT_IN_ROOM', 's1']]);
  assert.equal(client.session, null);
  assert.ok(session.ended);
  await assert.rejects(session.act({ type: 'roll', formula: 'd4' }), { code: ClientErrorCodes.SESSION_ENDED });
});

test('leave resolves on left; the next connection does not resume it', async () => {
  const { server, client, session } = await inRoom();
  await session.leave();
  assert.equal(client.session, null);
  assert.deepEqual(session.ended, { reason: 'left' });
  server.drop();
  await until(() => server.hellos.length === 2);
  assert.equal(server.hellos[1].resume, undefined);
});

test('a refused socket with the sign-in gone: connect fails SIGNED_OUT and the client stops', async () => {
  const { server, client } = setup();
  server.signedIn = false;
  let signedOut = false;
  client.on('signedout', () => {
    signedOut = true;
  });
  await assert.rejects(client.connect(), { code: ClientErrorCodes.SIGNED_OUT });
  assert.equal(signedOut, true);
  assert.equal(client.running, false);
});

test('close() fails what waits and keeps the session for a later connect(), which resumes it', async () => {
  const { server, client, session } = await inRoom();
  server.holdAnswers = true;
  const waiting = session.act({ type: 'roll', formula: '1d4' });
  client.close();
  await assert.rejects(waiting, { code: ClientErrorCodes.CLOSED });
  assert.equal(client.state, State.OFFLINE);
  server.holdAnswers = false;
  await client.connect();
  await until(() => session.synced, 2000, 'the resume');
  assert.equal(server.hellos.at(-1).resume.session, 's1');
});

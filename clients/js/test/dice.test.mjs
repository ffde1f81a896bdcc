// The dice room's fold (src/games/dice.js): the state the web client and bots keep, from a `joined` view and the
// events after it, without a browser or a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dice } from '../src/index.js';

const T = 1_790_000_000_000;
const roll = (id, extra = {}) => ({
  id, number: Number(id.replace(/\D/g, '')) || 1, action: `g-a:${id}`, player: 'g-a', name: 'Ada', formula: '1d20',
  terms: [], modifier: 0, total: 10, at: T, hidden: false, ...extra,
});
const joined = (view = {}, extra = {}) => ({
  type: 'joined', session: 's1', code: 'WOLF-1234', game: 'dice', seq: 4, serverTime: T,
  view: {
    code: 'WOLF-1234', creator: 'g-a', mode: 'open', dm: null, dc: null,
    players: [{ id: 'g-a', name: 'Ada', connected: true }, { id: 'g-b', name: 'Bob', connected: false }],
    rolls: [roll('r1'), roll('r2')], historySize: 2, changes: [], expiresAt: T + 5 * 3_600_000, closed: null,
    ...view,
  },
  ...extra,
});

test('init: the view as state; no warning far from expiry, one inside the last 3 minutes', () => {
  const s = dice.init(joined());
  assert.equal(s.code, 'WOLF-1234');
  assert.equal(s.creator, 'g-a');
  assert.deepEqual(s.players.map((p) => [p.id, p.connected]), [['g-a', true], ['g-b', false]]);
  assert.deepEqual(s.rolls.map((r) => r.id), ['r1', 'r2']);
  assert.equal(s.hasOlder, false);
  assert.equal(s.expiring, null);
  assert.equal(s.names['g-b'], 'Bob');
  const soon = dice.init(joined({ expiresAt: T + 60_000, historySize: 70 }));
  assert.deepEqual(soon.expiring, { until: T + 60_000 });
  assert.equal(soon.hasOlder, true);
});

test('init: an offline DM shows as a grace countdown, bounded', () => {
  const s = dice.init(joined({ mode: 'dm-led', dm: 'g-a', dmAwayUntil: T + 60_000 }));
  assert.deepEqual(s.grace, { player: 'g-a', until: T + 60_000 });
  const odd = dice.init(joined({ mode: 'dm-led', dm: 'g-a', dmAwayUntil: T + 99 * 60_000 }));
  assert.equal(odd.grace.until, T + dice.GRACE_MAX_MS);
});

test('a fresh view after a reconnect keeps the older rolls paged in before, when they overlap', () => {
  let s = dice.init(joined());
  s = dice.withHistory(s, { rolls: [roll('r0')], more: true });
  assert.deepEqual(s.rolls.map((r) => r.id), ['r0', 'r1', 'r2']);
  const again = dice.init(joined({ rolls: [roll('r1'), roll('r2'), roll('r3')], historySize: 4 }), s);
  assert.deepEqual(again.rolls.map((r) => r.id), ['r0', 'r1', 'r2', 'r3']);
  assert.equal(again.hasOlder, true);
  const apart = dice.init(joined({ rolls: [roll('r7')], historySize: 8 }), s);
  assert.deepEqual(apart.rolls.map((r) => r.id), ['r7'], 'no overlap: the older ones could leave a hole');
  const other = dice.init({ ...joined(), session: 's2' }, s);
  assert.deepEqual(other.rolls.map((r) => r.id), ['r1', 'r2'], 'another session keeps nothing');
});

test('events: players, presence, rolls, reveals, DC, mode, expiry, close', () => {
  let s = dice.init(joined({ expiresAt: T + 60_000 }));
  const before = s;
  s = dice.fold(s, { type: 'player_joined', player: { id: 'g-c', name: 'Cy' }, at: T });
  assert.equal(before.players.length, 2, 'the fold never changes its input');
  assert.equal(s.expiring, null, 'activity restarts the expiry clock');
  assert.deepEqual(s.players.at(-1), { id: 'g-c', name: 'Cy', connected: true });
  s = dice.fold(s, { type: 'presence', player: 'g-b', connected: true, at: T });
  assert.equal(s.players.find((p) => p.id === 'g-b').connected, true);
  s = dice.fold(s, { type: 'player_kicked', player: 'g-c', by: 'g-a', at: T });
  assert.equal(s.players.some((p) => p.id === 'g-c'), false);
  assert.equal(dice.nameOf(s, 'g-c'), 'Cy', 'a name outlives the player');
  s = dice.fold(s, { type: 'rolled', roll: roll('r3', { hidden: true, formula: undefined, total: undefined }), at: T });
  s = dice.fold(s, { type: 'rolled', roll: roll('r3'), at: T });
  assert.deepEqual(s.rolls.map((r) => r.id), ['r1', 'r2', 'r3'], 'a roll once');
  assert.equal(dice.isPublic(s.rolls[2]), false);
  s = dice.fold(s, { type: 'roll_revealed', roll: 'r3', detail: roll('r3', { hidden: true, total: 17, revealedAt: T + 5 }), at: T + 5 });
  assert.equal(s.rolls[2].total, 17);
  assert.equal(dice.isPublic(s.rolls[2]), true);
  s = dice.fold(s, { type: 'dc_set', dc: 15, by: 'g-a', at: T });
  assert.equal(s.dc, 15);
  s = dice.fold(s, { type: 'dc_cleared', by: 'g-a', at: T });
  assert.equal(s.dc, null);
  s = dice.fold(s, { type: 'mode_changed', mode: 'dm-led', by: 'g-a', at: T + 9 });
  assert.equal(s.mode, 'dm-led');
  assert.equal(s.dm, 'g-a');
  assert.ok(dice.isDm(s, 'g-a') && dice.isAdmin(s, 'g-a') && !dice.isDm(s, 'g-b'));
  assert.deepEqual(s.changes, [{ kind: 'dm-led', by: 'g-a', at: T + 9 }]);
  s = dice.fold(s, { type: 'room_expiring', seconds: 30, expiresAt: T + 30_000, at: T });
  assert.deepEqual(s.expiring, { until: T + 30_000 });
  s = dice.fold(s, { type: 'presence', player: 'g-a', connected: false, graceUntil: T + 60_000, at: T });
  assert.deepEqual(s.grace, { player: 'g-a', until: T + 60_000 });
  assert.equal(s.expiring !== null, true, 'presence is not activity');
  s = dice.fold(s, { type: 'presence', player: 'g-a', connected: true, at: T + 1 });
  assert.equal(s.grace, null);
  s = dice.fold(s, { type: 'room_closed', reason: 'expired', at: T });
  assert.equal(dice.closed(s), 'expired');
  assert.equal(s.expiring, null);
  assert.equal(dice.fold(s, { type: 'something_new', at: T }), s, 'unknown events change nothing');
});

test('history pages go before; the state keeps at most ROLL_LIMIT rolls', () => {
  let s = dice.init(joined());
  s = dice.withHistory(s, { rolls: [roll('r0'), roll('r1')], more: false });
  assert.deepEqual(s.rolls.map((r) => r.id), ['r0', 'r1', 'r2']);
  assert.equal(s.hasOlder, false);
  for (let i = 3; i < dice.ROLL_LIMIT + 10; i++) s = dice.fold(s, { type: 'rolled', roll: roll(`r${i}`), at: T });
  assert.equal(s.rolls.length, dice.ROLL_LIMIT);
  assert.equal(s.rolls[0].id, 'r10');
  assert.equal(s.hasOlder, true);
});

test('a roll keeps the action that made it (dice.roll finds its roll by it)', () => {
  let s = dice.init(joined());
  assert.equal(s.rolls.find((r) => r.action === 'g-a:r2')?.id, 'r2');
  s = dice.fold(s, { type: 'rolled', roll: roll('r9'), at: T });
  assert.equal(s.rolls.find((r) => r.action === 'g-a:r9')?.id, 'r9');
});

test('chat lines fold in once, a removed player takes theirs along; the admin passes on', () => {
  let s = dice.init(joined({ admin: 'g-a', chat: [{ action: 'g-b:c0', player: 'g-b', name: 'Bob', text: 'hi', at: T }] }));
  assert.deepEqual(s.chat.map((c) => c.text), ['hi']);
  const line = { type: 'chat', action: 'g-a:c1', player: 'g-a', name: 'Ada', text: '<b>hello</b>', at: T + 1 };
  s = dice.fold(s, line);
  s = dice.fold(s, line); // the same line again (a resume): once
  assert.deepEqual(s.chat.map((c) => c.text), ['hi', '<b>hello</b>']);
  s = dice.fold(s, { type: 'player_kicked', player: 'g-b', by: 'g-a', at: T + 2 });
  assert.deepEqual(s.chat.map((c) => c.player), ['g-a']);
  s = dice.fold(s, { type: 'admin_changed', player: 'g-b', previous: 'g-a', reason: 'left', at: T + 3 });
  assert.equal(s.creator, 'g-b');
  assert.equal(dice.isAdmin(s, 'g-b'), true);
});

test('a roll\'s mode: public, to the DM, to oneself, secret; old hidden rolls read as secret', () => {
  assert.equal(dice.modeOf(roll('r1')), 'public');
  assert.equal(dice.modeOf(roll('r2', { hidden: true, mode: 'dm' })), 'dm');
  assert.equal(dice.modeOf(roll('r3', { hidden: true, mode: 'self' })), 'self');
  assert.equal(dice.modeOf(roll('r4', { hidden: true })), 'secret');
});

test('roll sends its mode and label; public and blank labels are left out', async () => {
  const sent = [];
  const session = {
    player: 'g-a',
    state: dice.init(joined()),
    act: async (body, options) => {
      sent.push(body);
      session.state = dice.fold(session.state, { type: 'rolled', roll: roll(`r${sent.length + 5}`, { action: `g-a:${options.id}` }) });
    },
    waitFor: async (pick) => pick(session.state),
  };
  await dice.roll(session, '1d20+5', { mode: 'dm', label: ' Stealth ', advantage: 'advantage' });
  await dice.roll(session, '1d6', { mode: 'public', label: '  ' });
  assert.deepEqual(sent, [
    { type: 'roll', formula: '1d20+5', mode: 'dm', label: 'Stealth', advantage: 'advantage' },
    { type: 'roll', formula: '1d6' },
  ]);
});

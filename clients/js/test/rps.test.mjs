// Rock-paper-scissors' fold (src/games/rps.js): the state the web page and bots keep, from a `joined` view and the
// events after it, without a browser or a server. The events are shaped as the server projects them: the
// opponent's `chose` comes without its choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rps, foldsOf, games } from '../src/index.js';

const T = 1_790_000_000_000;
const joined = (view = {}) => ({
  type: 'joined', session: 's1', code: 'ROCK-1234', game: 'rps', seq: 2,
  view: {
    code: 'ROCK-1234', host: 'g-a', players: [{ id: 'g-a', name: 'Ada' }], bestOf: 3, choiceSeconds: 0,
    phase: 'waiting', round: 0, chosen: [], rounds: [], score: {}, matches: 0, ...view,
  },
});
const revealed = (number, a, b, winner, score) => ({
  type: 'round_revealed', round: { number, choices: { 'g-a': a, 'g-b': b }, ...(winner ? { winner } : {}), timedOut: false, at: T },
  score,
});

test('the SDK knows rps by its id, like the other games', () => {
  assert.equal(foldsOf('rps'), games.rps);
  assert.equal(rps.id, 'rps');
  assert.deepEqual(rps.CHOICES, ['rock', 'paper', 'scissors']);
});

test('a whole match: join, secret choices, reveals, a winner, a rematch', () => {
  let s = rps.init(joined());
  assert.equal(s.phase, 'waiting');
  s = rps.fold(s, { type: 'player_joined', player: { id: 'g-b', name: 'Bob' }, at: T });
  s = rps.fold(s, { type: 'round_started', round: 1, at: T });
  assert.equal(s.phase, 'playing');
  assert.equal(s.matches, 1);
  assert.equal(rps.opponent(s, 'g-a').name, 'Bob');
  // The opponent's choice arrives as {player} alone; one's own with the choice.
  s = rps.fold(s, { type: 'chose', player: 'g-b', round: 1, at: T });
  assert.equal(rps.hasChosen(s, 'g-b'), true);
  assert.equal(rps.myChoice(s, 'g-b'), null, 'nobody but Bob knows what Bob chose');
  s = rps.fold(s, { type: 'chose', player: 'g-a', round: 1, choice: 'rock', at: T });
  assert.equal(rps.myChoice(s, 'g-a'), 'rock');
  s = rps.fold(s, revealed(1, 'rock', 'scissors', 'g-a', { 'g-a': 1, 'g-b': 0 }));
  assert.deepEqual(s.chosen, []);
  assert.deepEqual(s.score, { 'g-a': 1, 'g-b': 0 });
  assert.equal(rps.roundText(s, s.rounds[0], 'g-a'), 'You won round 1: rock beats scissors');
  assert.equal(rps.roundText(s, s.rounds[0], 'g-b'), 'Ada won round 1: rock beats scissors');
  s = rps.fold(s, { type: 'round_started', round: 2, at: T });
  s = rps.fold(s, revealed(2, 'paper', 'paper', null, { 'g-a': 1, 'g-b': 0 }));
  assert.equal(rps.roundText(s, s.rounds[1], 'g-a'), 'Draw: paper and paper');
  s = rps.fold(s, { type: 'round_started', round: 3, at: T });
  s = rps.fold(s, revealed(3, 'paper', 'rock', 'g-a', { 'g-a': 2, 'g-b': 0 }));
  s = rps.fold(s, { type: 'match_won', winner: 'g-a', score: { 'g-a': 2, 'g-b': 0 }, at: T });
  assert.equal(s.phase, 'over');
  assert.equal(s.winner, 'g-a');
  assert.equal(s.rounds.length, 3);
  assert.equal(rps.toWin(s), 2);
  s = rps.fold(s, { type: 'round_started', round: 1, at: T });
  assert.equal(s.matches, 2);
  assert.deepEqual([s.rounds, s.score, s.winner, s.phase], [[], {}, null, 'playing']);
});

test('a round whose time ran out: the deadline shows, a missing choice loses in words', () => {
  let s = rps.init(joined({ players: [{ id: 'g-a', name: 'Ada' }, { id: 'g-b', name: 'Bob' }], phase: 'playing',
    round: 1, choiceSeconds: 30, deadline: T + 30_000, chosen: [{ player: 'g-a', choice: 'paper' }] }));
  assert.equal(s.deadline, T + 30_000);
  assert.equal(rps.myChoice(s, 'g-a'), 'paper');
  s = rps.fold(s, { type: 'round_revealed', round: { number: 1, choices: { 'g-a': 'paper' }, winner: 'g-a', timedOut: true, at: T },
    score: { 'g-a': 1, 'g-b': 0 } });
  assert.equal(s.deadline, null);
  assert.equal(rps.roundText(s, s.rounds[0], 'g-a'), 'You won round 1: Bob did not choose in time');
});

test('a player leaving resets the match; a close is kept; folds never change their input', () => {
  const s = rps.init(joined({ players: [{ id: 'g-a', name: 'Ada' }, { id: 'g-b', name: 'Bob' }], phase: 'playing',
    round: 2, score: { 'g-a': 1, 'g-b': 0 }, rounds: [{ number: 1, choices: {}, winner: 'g-a', timedOut: false, at: T }] }));
  const frozen = JSON.stringify(s);
  const left = rps.fold(s, { type: 'player_left', player: 'g-b', at: T });
  assert.equal(left.phase, 'waiting');
  assert.deepEqual(left.players.map((p) => p.id), ['g-a']);
  assert.deepEqual([left.score, left.rounds], [{}, []]);
  const closed = rps.fold(left, { type: 'match_closed', reason: 'expired', at: T });
  assert.equal(rps.closed(closed), 'expired');
  assert.equal(rps.fold(s, { type: 'something_new' }), s);
  assert.equal(rps.fold(s, { type: 'chose', player: 'g-a', round: 1, at: T }), s, 'a stale round changes nothing');
  assert.equal(JSON.stringify(s), frozen);
});

test('actions send the protocol bodies', async () => {
  const sent = [];
  const session = { act: async (body) => { sent.push(body); return { ok: true }; } };
  await rps.choose(session, 'scissors');
  await rps.rematch(session);
  assert.deepEqual(sent, [{ type: 'choose', choice: 'scissors' }, { type: 'rematch' }]);
});

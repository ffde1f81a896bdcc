// The dice room's pure UI helpers (web/games/dice/helpers.js), without a browser: what the die picker writes, which
// formulas get the advantage toggle, the banners' clock. (The room's state fold is the SDK's, tested in clients/js.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DC } from '../clients/js/src/games/dice.js';
import { COUNT, clock, formula, intIn, isSingleD20 } from '../gateway-service/src/main/resources/web/games/dice/helpers.js';

test('the die picker writes the notation the server reads', () => {
  assert.equal(formula(1, 20, 0), '1d20');
  assert.equal(formula(2, 6, 3), '2d6+3');
  assert.equal(formula(3, 8, -1), '3d8-1');
});

test('numbers from inputs: whole, in range, or null', () => {
  assert.equal(intIn(' 12 ', DC), 12);
  assert.equal(intIn('+5', COUNT), 5);
  for (const bad of ['', '0', '31', '1.5', '1e1', 'x', '12345']) assert.equal(intIn(bad, DC), null, bad);
});

test('advantage is offered for one d20 and constants only', () => {
  for (const yes of ['d20', '1d20', '1D20+5', ' 1d20 - 1 + 2 ', 'd 20']) assert.ok(isSingleD20(yes), yes);
  for (const no of ['2d20', '1d20+1d4', 'd200', '1d2', 'd20!', '1d20kh1', '', 'd20+', '11d20']) {
    assert.ok(!isSingleD20(no), no);
  }
});

test('banner clock: minutes and seconds, rounded up, never negative', () => {
  assert.equal(clock(180_000), '3:00');
  assert.equal(clock(29_001), '0:30');
  assert.equal(clock(9_000), '0:09');
  assert.equal(clock(-5), '0:00');
});

test('the picker and the field are one formula: what the picker can show, it shows; the rest is the field\'s', async () => {
  const { pickOf } = await import('../gateway-service/src/main/resources/web/games/dice/helpers.js');
  assert.deepEqual(pickOf('2d8+1'), { count: 2, sides: 8, modifier: 1 });
  assert.deepEqual(pickOf(' d20 '), { count: 1, sides: 20, modifier: 0 });
  assert.deepEqual(pickOf('3D6 - 2'), { count: 3, sides: 6, modifier: -2 });
  for (const other of ['1d82d8+1', '4d6kh3', '1d7', '0d6', '1d20+101', 'd6!', '', '1d8+2d6']) {
    assert.equal(pickOf(other), null, other);
  }
  assert.equal(formula(2, 8, 1), '2d8+1');
});

test('advantage in words wherever a roll is shown; the Roll button says who sees it', async () => {
  const { rollWords, rollButtonWords } = await import('../gateway-service/src/main/resources/web/games/dice/helpers.js');
  assert.equal(rollWords({ formula: '1d20+5', advantage: 'advantage' }), '1d20+5 with advantage');
  assert.equal(rollWords({ formula: '1d20', advantage: 'disadvantage' }), '1d20 with disadvantage');
  assert.equal(rollWords({ formula: '2d6' }), '2d6');
  assert.equal(rollButtonWords('1d20', 'advantage', 'secret'), '1d20 with advantage in secret');
  assert.equal(rollButtonWords('2d6', undefined, 'dm'), '2d6 to the DM');
  assert.equal(rollButtonWords('2d6', undefined, 'public'), '2d6');
});

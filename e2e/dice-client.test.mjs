// The client's pure helpers (web/dice.js), without a browser: what the die picker writes, which formulas get
// the advantage toggle, the banners' clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COUNT, DC, clock, formula, intIn, isSingleD20 } from '../gateway-service/src/main/resources/web/dice.js';

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

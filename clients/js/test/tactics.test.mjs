// The tactics folds and helpers (src/games/tactics.js), without a browser: movement as the server computes it, the
// view folded by events as the server folds state, the combat log's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chat, decisiveText, fold, logText, reachable, rematch, targets,
} from '../src/games/tactics.js';

const unit = (id, side, x, y, extra = {}) => ({
  id, name: id, side, x, y, hp: 10, maxHp: 10, ac: 12, speed: 4, attack: 4, damage: '1d6+1', range: 1, init: 0,
  owner: null, ...extra,
});

const view = (rows, units, extra = {}) => ({
  code: 'FORT-0001', host: 'g-host', scenario: 'Test', width: rows[0].length, height: rows.length, rows,
  players: [{ id: 'g-host', name: 'Host', host: true }], units, phase: 'battle', order: units.map((u) => u.id),
  initiative: [], current: units[0].id, round: 1, moved: 0, attacked: false, turnSeconds: 0, turnEndsAt: null,
  winner: null, closed: null, log: [], ...extra,
});

test('difficult terrain costs two, exactly up to the budget', () => {
  const v = view(['######', '.~~...', '######'], [unit('k', 'blue', 0, 1), unit('o', 'red', 5, 1)]);
  const cells = reachable(v, v.units[0], 4);
  assert.equal(cells.get('2,1'), 4);
  assert.equal(cells.has('3,1'), false);
});

test('no cutting a wall corner; enemies block; allies pass but do not stop', () => {
  const v = view(['.#...', '.....', '.....'], [unit('k', 'blue', 0, 0, { speed: 1 }), unit('o', 'red', 4, 2)]);
  assert.deepEqual([...reachable(v, v.units[0], 1).keys()], ['0,1']);
  const corridor = view(['#####', '.....', '#####'], [unit('k', 'blue', 0, 1), unit('s', 'blue', 1, 1),
    unit('o', 'red', 3, 1)]);
  const cells = reachable(corridor, corridor.units[0], 4);
  assert.equal(cells.has('1,1'), false, 'an ally cell is not a place to stop');
  assert.equal(cells.get('2,1'), 2, 'but the way through it');
  assert.equal(cells.has('4,1'), false, 'the enemy blocks the corridor');
});

test('targets are enemies within range, diagonals counting one', () => {
  const v = view(['....', '....', '....'], [unit('k', 'blue', 1, 1), unit('o', 'red', 2, 2), unit('p', 'red', 3, 1),
    unit('s', 'blue', 0, 0)]);
  assert.deepEqual(targets(v, v.units[0]).map((u) => u.id), ['o']);
});

test('the fold follows a fight: initiative, moves, attacks, the win', () => {
  let v = view(['.....', '.....'], [unit('k', 'blue', 0, 0), unit('o', 'red', 4, 0)], { phase: 'setup',
    current: null, order: [], turnSeconds: 60 });
  v = fold(v, { type: 'initiative_rolled', rolls: [{ unit: 'k', roll: 9, modifier: 0, total: 9 },
    { unit: 'o', roll: 12, modifier: 0, total: 12 }], order: ['o', 'k'], at: 1000 });
  v = fold(v, { type: 'turn_started', unit: 'o', round: 1, at: 1000 });
  assert.equal(v.phase, 'battle');
  assert.equal(v.turnEndsAt, 61_000);
  v = fold(v, { type: 'moved', unit: 'o', from: { x: 4, y: 0 }, to: { x: 1, y: 0 }, path: [], cost: 3, at: 2000 });
  v = fold(v, {
    type: 'attacked', unit: 'o', target: 'k', player: 'g-host', roll: 20, bonus: 4, total: 24, ac: 12, hit: true,
    critical: true, damage: 10, hp: 0, down: true, at: 3000,
    dice: { formula: '1d6+1', terms: [{ dice: [{ value: 6, kept: true }] }], modifier: 1, total: 7 },
    extra: { formula: '1d6+1', terms: [{ dice: [{ value: 3, kept: true }] }], modifier: 1, total: 4 },
  });
  assert.equal(v.units.find((u) => u.id === 'k').hp, 0);
  assert.equal(v.moved, 3);
  assert.equal(v.attacked, true);
  assert.equal(logText(v, v.log.at(-1)), 'o attacks k: d20 20 + 4 = 24 vs AC 12, CRITICAL HIT for 10 damage '
    + '(1d6+1: 6 + 1; critical extra 1d6+1: 3 + 1); k is down!');
  v = fold(v, { type: 'encounter_won', side: 'red', players: ['g-host'], at: 3000 });
  assert.equal(v.phase, 'over');
  assert.equal(v.winner, 'red');
  assert.equal(v.log.length, 5);
});

test('units added in battle take their place by initiative', () => {
  let v = view(['....'], [unit('a', 'blue', 0, 0), unit('b', 'red', 3, 0)], {
    initiative: [{ unit: 'a', roll: 15, modifier: 0, total: 15 }, { unit: 'b', roll: 10, modifier: 0, total: 10 }],
  });
  v = fold(v, { type: 'unit_added', unit: unit('u1', 'red', 1, 0), initiative: { unit: 'u1', roll: 11, modifier: 1,
    total: 12 }, by: 'g-host', at: 1 });
  assert.deepEqual(v.order, ['a', 'u1', 'b']);
  v = fold(v, { type: 'unit_removed', unit: 'a', by: 'g-host', at: 2 });
  assert.deepEqual(v.order, ['u1', 'b']);
  assert.equal(v.current, null);
});

test('init takes the joined view; myTurnUnit is the current unit of the player who commands it', async () => {
  const { init, myTurnUnit } = await import('../src/games/tactics.js');
  const v = init({ session: 's', view: view(['....'], [unit('k', 'blue', 0, 0, { owner: 'g-bob' }), unit('o', 'red', 3, 0)]) });
  assert.equal(myTurnUnit(v, 'g-bob').id, 'k');
  assert.equal(myTurnUnit(v, 'g-host'), null, 'the host plays only units nobody took');
  assert.equal(myTurnUnit({ ...v, current: 'o' }, 'g-host').id, 'o');
  assert.equal(myTurnUnit({ ...v, phase: 'setup' }, 'g-bob'), null);
  assert.deepEqual(init({ session: 's', view: { code: 'X' } }).log, []);
});

test('a won encounter keeps its result in words; a rematch puts everyone back, chat stays out of the log', () => {
  const a = unit('a', 'blue', 0, 0, { name: 'Knight' });
  const b = unit('b', 'red', 1, 0, { name: 'Rogue', hp: 3 });
  let v = view(['...'], [a, b]);
  v = fold(v, { type: 'attacked', unit: 'a', target: 'b', player: 'g-host', roll: 12, bonus: 4, total: 16, ac: 12,
    hit: true, critical: false, dice: null, extra: null, damage: 5, hp: 0, down: true, at: 1 });
  const won = { type: 'encounter_won', side: 'blue', players: ['g-host'], at: 2,
    decisive: { unit: 'a', target: 'b', player: 'g-host', roll: 12, total: 16, damage: 5, critical: false } };
  v = fold(v, won);
  assert.equal(v.phase, 'over');
  assert.equal(decisiveText(v, v.result), 'Knight’s attack on Rogue: 16 (d20 12 + 4) for 5 damage');
  assert.equal(decisiveText(v, { ...won, decisive: undefined }), null);
  const logged = v.log.length;
  v = fold(v, { type: 'chat', action: 'g-host:c1', player: 'g-host', name: 'Host', text: 'gg', at: 3 });
  assert.equal(v.log.length, logged);
  assert.deepEqual(v.chat.map((c) => c.text), ['gg']);
  v = fold(v, { type: 'encounter_reset', encounter: 2, units: [a, { ...b, hp: 10 }], by: 'g-host', at: 4 });
  assert.equal(v.phase, 'battle');
  assert.equal(v.winner, null);
  assert.equal(v.encounter, 2);
  assert.equal(v.units.find((u) => u.id === 'b').hp, 10);
  assert.match(logText(v, v.log.at(-1)), /^Rematch: encounter 2/);
});

test('rematch and chat are the table\'s actions', async () => {
  const sent = [];
  const s = { act: async (body) => sent.push(body) };
  await rematch(s);
  await chat(s, 'gg');
  assert.deepEqual(sent, [{ type: 'rematch' }, { type: 'chat', text: 'gg' }]);
});

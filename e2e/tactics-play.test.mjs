// Two players in two real browsers fight a tactics duel to the end (docs/protocol.md, Tactics): create with a
// scenario, join by code, claim a unit, initiative, moves by keyboard and by tap, attacks, turns, a winner, the
// replay link; the board on a phone without sideways scrolling.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, assertNoHorizontalScroll, signIn, startBrowser } from './dice-support.mjs';
import {
  boardUnits, createEncounter, currentUnit, fightToTheEnd, joinEncounter, logTexts, reachCells, waitForLog,
} from './tactics-support.mjs';

let browser;

before(async () => {
  browser = await startBrowser('tactics-play');
});

after(async () => {
  await browser?.close();
});

test('two players fight a tactics duel until one side wins', { timeout: 240_000 }, async (t) => {
  let alice;
  let bob;
  let code;

  await t.test('Alice creates a duel; Bob joins on a phone and takes the Raider', async () => {
    alice = await browser.openPage('Alice', DESKTOP);
    await signIn(alice, 'Alice');
    code = await createEncounter(alice, { scenario: 'duel', turnSeconds: '0' });
    assert.equal(await alice.getByTestId('tactics-scenario').textContent(), 'Duel');
    bob = await browser.openPage('Bob', PHONE);
    await signIn(bob, 'Bob');
    await joinEncounter(bob, code);
    await bob.locator('[data-testid="roster-unit"][data-unit="raider"] [data-testid="claim"]').click();
    await alice.locator('[data-testid="roster-unit"][data-unit="raider"]', { hasText: 'Bob' }).waitFor();
    await bob.locator('[data-testid="roster-unit"][data-unit="raider"]', { hasText: 'you' }).waitFor();
    await alice.locator('[data-testid="tactics-players"] li', { hasText: 'Bob' }).waitFor();
    await bob.locator('[data-testid="tactics-players"] li', { hasText: 'Alice (host)' }).waitFor();
    assert.equal(await bob.getByTestId('start-encounter').isHidden(), true, 'only the host starts');
    await assertNoHorizontalScroll(bob, 'Bob\'s encounter in setup');
  });

  await t.test('Alice starts: both see the rolled initiative and whose turn it is', async () => {
    await alice.getByTestId('start-encounter').click();
    for (const page of [alice, bob]) {
      await page.locator('[data-testid="initiative"] [data-testid="initiative-entry"]').nth(1).waitFor();
      await waitForLog(page, 'initiative_rolled', 1);
      assert.ok(['knight', 'raider'].includes(await currentUnit(page)));
    }
    // The board takes the keyboard: arrows move the cursor (the first turn's moves may use it too).
    await alice.getByTestId('board').focus();
    const cursor = alice.locator('[data-testid="board"] [data-testid="cursor"]');
    const x0 = Number(await cursor.getAttribute('data-x'));
    await alice.getByTestId('board').press(x0 > 0 ? 'ArrowLeft' : 'ArrowRight');
    assert.equal(Number(await cursor.getAttribute('data-x')), x0 > 0 ? x0 - 1 : x0 + 1);
    const first = await currentUnit(alice);
    assert.equal(await currentUnit(bob), first);
    const active = first === 'knight' ? alice : bob;
    const waiting = first === 'knight' ? bob : alice;
    assert.equal(await active.getByTestId('turn-status').getAttribute('data-mine'), 'true');
    assert.equal(await waiting.getByTestId('end-turn').isDisabled(), true);
    assert.ok((await reachCells(active)).length > 0, 'the active player sees where the unit can go');
    assert.equal((await reachCells(waiting)).length, 0);
  });

  await t.test('they move, attack and end turns until one side stands', async () => {
    const { movedByKeyboard, movedByTap, attacks } = await fightToTheEnd(alice, bob);
    assert.ok(attacks > 0);
    for (const page of [alice, bob]) {
      await page.getByTestId('result').waitFor();
      assert.match(await page.getByTestId('winner').textContent(), /^(Blue|Red) wins/);
      const href = await page.getByTestId('replay-link').getAttribute('href');
      assert.match(href, /^\/replay\.html\?session=[\w-]+$/);
      await waitForLog(page, 'encounter_won', 1);
    }
    assert.ok(movedByKeyboard || movedByTap, 'someone moved');
    const log = await logTexts(alice);
    assert.ok(log.some((l) => /attacks .*: d20 \d+ [+−] \d+ = \d+ vs AC 10/.test(l)), log.join('\n'));
    assert.deepEqual(await logTexts(bob), log, 'both see the same combat log');
    const winnerSide = await alice.getByTestId('winner').getAttribute('data-side');
    const standing = (await boardUnits(alice)).filter((u) => !u.down);
    assert.deepEqual([...new Set(standing.map((u) => u.side))], [winnerSide]);
    await assertNoHorizontalScroll(bob, 'Bob\'s finished encounter');
  });

  await t.test('after the end nothing more can be done, and the pages logged no errors', async () => {
    assert.equal(await alice.getByTestId('end-turn').isHidden(), true);
    assert.equal(await bob.getByTestId('end-turn').isHidden(), true);
    browser.assertNoProblems();
  });
});

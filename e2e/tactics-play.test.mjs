// Two players in two real browsers fight a tactics duel to the end (docs/protocol.md, Tactics): create with a
// scenario, join by code, claim a unit, initiative, moves by keyboard and by tap, attacks, turns, a winner, the
// replay link; the board on a phone without sideways scrolling.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, WAIT, assertNoHorizontalScroll, signIn, startBrowser } from './dice-support.mjs';
import {
  boardUnits, createEncounter, currentUnit, joinEncounter, logTexts, logTypes, reachCells, waitForLog,
} from './tactics-support.mjs';

// Each unit has 8 hp and hits for 4-9 (crits more); a hit needs 4+ on the d20. A duel is over after a few
// hits; the bound is far beyond what any run of dice needs, so the loop ends on a winner, not on luck.
const MAX_TURNS = 80;

let browser;

before(async () => {
  browser = await startBrowser('tactics-play');
});

after(async () => {
  await browser?.close();
});

const chebyshev = (a, b) => Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y));

/** Moves the current unit next to its enemy with the keyboard: arrows to the cell, then Enter. */
async function moveByKeyboard(page, to) {
  const board = page.getByTestId('board');
  await board.focus();
  const cursor = page.locator('[data-testid="board"] [data-testid="cursor"]');
  for (let i = 0; i < 40; i++) {
    const x = Number(await cursor.getAttribute('data-x'));
    const y = Number(await cursor.getAttribute('data-y'));
    if (x === to.x && y === to.y) break;
    if (x !== to.x) await board.press(x < to.x ? 'ArrowRight' : 'ArrowLeft');
    else await board.press(y < to.y ? 'ArrowDown' : 'ArrowUp');
  }
  await board.press('Enter');
}

async function moveByTap(page, to) {
  await page.locator(`[data-testid="board"] [data-testid="cell"][data-x="${to.x}"][data-y="${to.y}"]`).click();
}

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
    let attacks = 0;
    let movedByKeyboard = false;
    let movedByTap = false;
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const current = await currentUnit(alice);
      const page = current === 'knight' ? alice : bob;
      const other = page === alice ? bob : alice;
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="turn-status"]').dataset.mine === 'true', null, { timeout: WAIT });
      const units = await boardUnits(page);
      const me = units.find((u) => u.id === current);
      const enemy = units.find((u) => u.id !== current && !u.down);
      if (chebyshev(me, enemy) > 1) {
        const cells = (await reachCells(page)).filter((c) => chebyshev(c, enemy) <= 1).sort((a, b) => a.cost - b.cost);
        if (cells.length) {
          const moves = (await logTypes(page)).filter((x) => x === 'moved').length;
          if (page === alice) await moveByKeyboard(page, cells[0]);
          else await moveByTap(page, cells[0]);
          if (page === alice) movedByKeyboard = true;
          else movedByTap = true;
          await waitForLog(page, 'moved', moves + 1);
          await waitForLog(other, 'moved', moves + 1);
        }
      }
      const target = page.locator(`[data-testid="board"] [data-testid="unit"][data-unit="${enemy.id}"].target`);
      if (await target.count()) {
        await target.click();
        attacks++;
        await waitForLog(page, 'attacked', attacks);
        await waitForLog(other, 'attacked', attacks);
        // Both boards agree on the target's hit points, as the log says.
        const mine = (await boardUnits(page)).find((u) => u.id === enemy.id);
        const theirs = (await boardUnits(other)).find((u) => u.id === enemy.id);
        assert.equal(mine.hp, theirs.hp);
        if (await page.getByTestId('result').isVisible()) break;
      }
      const before = await currentUnit(page);
      await page.getByTestId('end-turn').click();
      for (const p of [page, other]) {
        await p.waitForFunction((was) =>
          document.querySelector('[data-testid="turn-status"]').dataset.current !== was, before, { timeout: WAIT });
      }
    }
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

// Steps the tactics scenarios share (tactics-*.test.mjs): create an encounter, join it, read the board.
import assert from 'node:assert/strict';
import { WAIT } from './dice-support.mjs';

/** Creates a tactics encounter from the lobby; returns its room code. */
export async function createEncounter(page, { scenario = 'duel', turnSeconds = '0' } = {}) {
  await page.getByTestId('game-tactics').check();
  await page.getByTestId('scenario-select').selectOption(scenario);
  await page.getByTestId('turn-seconds').selectOption(turnSeconds);
  await page.getByTestId('create-room').click();
  await page.getByTestId('tactics-code').filter({ hasText: /\S/ }).waitFor();
  const code = (await page.getByTestId('tactics-code').textContent()).trim();
  assert.match(code, /^[A-Z]+-[A-Z]+-\d{4}$/);
  return code;
}

export async function joinEncounter(page, code) {
  await page.getByTestId('join-code').fill(code);
  await page.getByTestId('join-room').click();
  await page.getByTestId('tactics-code').filter({ hasText: code }).waitFor();
}

/** The units as the board draws them. */
export async function boardUnits(page) {
  return page.locator('[data-testid="board"] [data-testid="unit"]').evaluateAll((els) => els.map((g) => ({
    id: g.dataset.unit, side: g.dataset.side, hp: Number(g.dataset.hp), x: Number(g.dataset.x), y: Number(g.dataset.y),
    down: g.dataset.down === 'true', target: g.classList.contains('target'),
  })));
}

/** Cells highlighted as reachable: [{x, y, cost}]. */
export async function reachCells(page) {
  return page.locator('[data-testid="board"] [data-testid="cell"].reach').evaluateAll((els) => els.map((r) => ({
    x: Number(r.dataset.x), y: Number(r.dataset.y), cost: Number(r.dataset.cost),
  })));
}

export async function logTypes(page) {
  return page.locator('[data-testid="combat-log"] [data-testid="log-entry"]').evaluateAll((els) =>
    els.map((li) => li.dataset.type));
}

export async function logTexts(page) {
  return page.locator('[data-testid="combat-log"] [data-testid="log-entry"]').allTextContents();
}

/** Waits until the page's combat log holds `n` entries of `type`. */
export async function waitForLog(page, type, n) {
  await page.waitForFunction(([t, want]) => document.querySelectorAll(
    `[data-testid="combat-log"] [data-testid="log-entry"][data-type="${t}"]`).length >= want, [type, n],
  { timeout: WAIT });
}

export async function currentUnit(page) {
  return page.getByTestId('turn-status').getAttribute('data-current');
}

const chebyshev = (a, b) => Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y));

/** Moves the current unit with the keyboard: arrows until the cursor is on `to`, then Enter. */
export async function moveByKeyboard(page, to) {
  const board = page.getByTestId('board');
  await board.focus();
  const cursor = page.locator('[data-testid="board"] [data-testid="cursor"]');
  for (let i = 0; i < 60; i++) {
    const x = Number(await cursor.getAttribute('data-x'));
    const y = Number(await cursor.getAttribute('data-y'));
    if (x === to.x && y === to.y) break;
    if (x !== to.x) await board.press(x < to.x ? 'ArrowRight' : 'ArrowLeft');
    else await board.press(y < to.y ? 'ArrowDown' : 'ArrowUp');
  }
  await board.press('Enter');
}

export async function moveByTap(page, to) {
  await page.locator(`[data-testid="board"] [data-testid="cell"][data-x="${to.x}"][data-y="${to.y}"]`).click();
}

// A duel unit has 16 hp and takes 4-9 a hit (a crit up to 15: no single blow fells it); a hit needs 4+ on the d20.
// A duel is over after about three hits a side; the bound is far beyond what any run of dice needs, so the loop ends
// on a winner, not on luck.
export const MAX_TURNS = 80;

/**
 * Plays a started duel between the Knight (`first`'s page plays it: the host) and the Raider (`second`) until one
 * stands: each turn the unit steps next to its enemy if it can (the host by keyboard, the other by tapping), attacks
 * if the enemy is ringed as a target, and ends its turn. Both boards must agree after every attack.
 */
export async function fightToTheEnd(first, second) {
  let attacks = 0;
  let movedByKeyboard = false;
  let movedByTap = false;
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    await first.waitForFunction(() => document.querySelector('[data-testid="turn-status"]').dataset.current, null,
      { timeout: WAIT });
    const current = await currentUnit(first);
    const page = current === 'knight' ? first : second;
    const other = page === first ? second : first;
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="turn-status"]').dataset.mine === 'true', null, { timeout: WAIT });
    const units = await boardUnits(page);
    const me = units.find((u) => u.id === current);
    const enemy = units.find((u) => u.id !== current && !u.down);
    if (chebyshev(me, enemy) > 1) {
      const cells = (await reachCells(page)).filter((c) => chebyshev(c, enemy) <= 1).sort((a, b) => a.cost - b.cost);
      if (cells.length) {
        const moves = (await logTypes(page)).filter((x) => x === 'moved').length;
        if (page === first) {
          await moveByKeyboard(page, cells[0]);
          movedByKeyboard = true;
        } else {
          await moveByTap(page, cells[0]);
          movedByTap = true;
        }
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
      const mine = (await boardUnits(page)).find((u) => u.id === enemy.id);
      const theirs = (await boardUnits(other)).find((u) => u.id === enemy.id);
      assert.equal(mine.hp, theirs.hp, 'both boards show the same hit points');
      if (await page.getByTestId('result').isVisible()) return { attacks, movedByKeyboard, movedByTap };
    }
    const before = await currentUnit(page);
    await page.getByTestId('end-turn').click();
    for (const p of [page, other]) {
      await p.waitForFunction((was) =>
        document.querySelector('[data-testid="turn-status"]').dataset.current !== was, before, { timeout: WAIT });
    }
  }
  throw new Error(`no winner after ${MAX_TURNS} turns`);
}

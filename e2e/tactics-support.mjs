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
  assert.match(code, /^[A-Z]+-\d{4}$/);
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

// Tactics that fit the screen (issue 18): in every built-in scenario, at 1280×800 and 390×844, End turn is on
// screen without scrolling; a phone's cells are at least 40 px (the board scrolls in its frame instead of
// shrinking); a legend, unit stats in words, the keyboard cursor only while the board has focus, hints for the
// pointer at hand; axe-core finds nothing serious.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  DESKTOP, PHONE, assertAccessible, assertNoHorizontalScroll, inViewport, signIn, startBrowser,
} from './dice-support.mjs';
import { createEncounter } from './tactics-support.mjs';

const SCENARIOS = ['duel', 'skirmish', 'crossroads'];

test('every built-in scenario fits the screen with its turn controls in view', { timeout: 240_000 }, async (t) => {
  const b = await startBrowser('tactics-screen');
  t.after(() => b.close());

  for (const [size, label] of [[DESKTOP, '1280×800'], [PHONE, '390×844']]) {
    let page;
    await t.test(`${label}: sign in`, async () => {
      page = await b.openPage(`Host ${label}`, size);
      await signIn(page, size === PHONE ? 'Ana-Maria' : "D'Arcy");
    });
    for (const scenario of SCENARIOS) {
      await t.test(`${label}: ${scenario}`, async () => {
        await createEncounter(page, { scenario, turnSeconds: '0' });
        await page.getByTestId('start-encounter').click();
        await page.getByTestId('end-turn').waitFor();
        await page.locator('[data-testid="turn-status"][data-mine="true"]').waitFor(); // the host plays every unit
        assert.ok(await inViewport(page.getByTestId('end-turn')), `${scenario}: End turn on screen`);

        const cell = await page.locator('[data-testid="board"] [data-testid="cell"]').first().boundingBox();
        if (size === PHONE) {
          assert.ok(cell.width >= 40 && cell.height >= 40, `${scenario}: a phone's cells are ${cell.width} px`);
          await assertNoHorizontalScroll(page, `${scenario} on a phone`);
        } else {
          assert.ok(cell.width >= 24, `${scenario}: cells of ${cell.width} px`);
          const board = await page.getByTestId('board').boundingBox();
          assert.ok(board.y + board.height <= 800, `${scenario}: the whole board fits the window`);
        }

        await page.getByTestId('legend').filter({ hasText: 'Difficult ground' }).waitFor();
        assert.match(await page.getByTestId('legend').textContent(), /Wall/);
        const meta = await page.locator('[data-testid="roster-unit"] .roster-meta').first().textContent();
        assert.match(meta, /hit points · armour class \d+ · moves \d+ · attack [+-]\d+, damage \S+/);
        assert.doesNotMatch(meta, /\b(spd|rng|hp)\b/);
        const hint = await page.getByTestId('board-hint').textContent();
        if (size === PHONE) assert.match(hint, /^Tap /);
        else assert.match(hint, /^Click /);

        const cursor = page.locator('[data-testid="board"] [data-testid="cursor"]');
        const shown = () => cursor.evaluate((c) => getComputedStyle(c).visibility);
        assert.equal(await shown(), 'hidden', 'no keyboard cursor without focus');
        await page.getByTestId('board').focus();
        assert.equal(await shown(), 'visible', 'the cursor with focus');
        await page.getByTestId('board').blur();
        await assertAccessible(page, `${scenario} at ${label}`);

        await page.getByTestId('tactics-leave').click();
        await page.getByTestId('tactics-leave').filter({ hasText: 'Sure?' }).waitFor();
        await page.getByTestId('tactics-leave').click();
        await page.getByTestId('create-room').waitFor();
      });
    }
  }

  await t.test('no script errors or blocked resources', () => b.assertNoProblems());
});

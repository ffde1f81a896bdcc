// The roller's notation (typed formulas, keep/drop, advantage), its errors in words, and the admin's kick,
// on a phone-sized screen. Runs against the platform at RF_BASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, DESKTOP, PHONE, assertNoHorizontalScroll, createRoom, entry, feedEntries, joinRoom, rollFormula,
  shownRoll, signIn, startBrowser, waitForRolls,
} from './dice-support.mjs';

let b;
before(async () => {
  b = await startBrowser('roller');
});
after(async () => {
  await b?.close();
});

const kept = (roll) => roll.dice.filter((d) => !d.dropped).map((d) => d.value);
const sum = (values) => values.reduce((s, v) => s + v, 0);

test('notation, errors and kicks in the roller', { timeout: 120_000 }, async (t) => {
  let alice;
  let bob;
  let code;

  await t.test('Alice (on a phone) creates a room and Bob joins', async () => {
    alice = await b.openPage('Alice', PHONE);
    await signIn(alice, 'Alice');
    code = await createRoom(alice, 'open');
    bob = await b.openPage('Bob', DESKTOP);
    await signIn(bob, 'Bob');
    await joinRoom(bob, code);
    await alice.getByTestId('players').locator('li', { hasText: 'Bob' }).waitFor();
  });

  await t.test('malformed notation is refused with a clear INVALID_DICE_FORMAT message', async () => {
    for (const [text, says] of [['3d7', /d7 is not a die/], ['2d6+', /not dice notation/], ['roll a d20', /not dice notation/]]) {
      await alice.getByTestId('formula-input').fill(text);
      await alice.getByTestId('roll').click();
      const error = alice.locator('[data-testid="roll-error"][data-code="INVALID_DICE_FORMAT"]');
      await error.waitFor();
      const message = await error.textContent();
      assert.match(message, /^That is not a formula we can roll/, message);
      assert.match(message, says, message);
      assert.equal(await alice.getByTestId('formula-input').getAttribute('aria-invalid'), 'true');
      await alice.getByTestId('formula-input').fill(''); // typing clears the error
      assert.equal(await alice.getByTestId('roll-error').textContent(), '');
    }
    assert.equal(await feedEntries(alice).count(), 0, 'nothing was rolled');
    assert.equal(await feedEntries(bob).count(), 0);
  });

  await t.test('keep highest: 4d6kh3 shows four dice, the lowest dropped', async () => {
    const id = await rollFormula(alice, '4d6kh3');
    const roll = await shownRoll(bob, id);
    assert.equal(roll.formula, '4d6kh3');
    assert.equal(roll.dice.length, 4);
    assert.equal(roll.dice.filter((d) => d.dropped).length, 1);
    const dropped = roll.dice.find((d) => d.dropped).value;
    assert.ok(kept(roll).every((v) => v >= dropped), `dropped ${dropped} of ${JSON.stringify(roll.dice)}`);
    assert.equal(roll.total, sum(kept(roll)));
  });

  await t.test('sums of terms: 1d8+2d6+3', async () => {
    const id = await rollFormula(alice, '1d8+2d6+3');
    const roll = await shownRoll(bob, id);
    assert.equal(roll.dice.length, 3);
    assert.equal(roll.total, sum(kept(roll)) + 3);
  });

  await t.test('advantage is offered for a single d20 only, and rolls two keeping the higher', async () => {
    await alice.getByTestId('formula-input').fill('2d6');
    assert.equal(await alice.getByTestId('adv-advantage').isDisabled(), true);
    await alice.getByTestId('formula-input').fill('1d20+2');
    assert.equal(await alice.getByTestId('adv-advantage').isDisabled(), false);
    const id = await rollFormula(alice, '1d20+2', { advantage: 'advantage' });
    const roll = await shownRoll(bob, id);
    assert.equal(roll.formula, '1d20+2 with advantage', 'advantage in words, not 2d20kh1');
    assert.equal(roll.dice.length, 2);
    const [high, low] = [Math.max(...roll.dice.map((d) => d.value)), Math.min(...roll.dice.map((d) => d.value))];
    assert.deepEqual(kept(roll), [high]);
    assert.equal(roll.total, high + 2);
    if (high !== low) assert.equal(roll.dice.find((d) => d.dropped).value, low);
  });

  await t.test('the die picker still writes the formula', async () => {
    await alice.getByTestId('adv-none').check();
    await alice.getByTestId('die-d8').click();
    await alice.getByTestId('dice-count').fill('3');
    await alice.getByTestId('dice-modifier').fill('-1');
    assert.equal(await alice.getByTestId('formula-input').inputValue(), '3d8-1');
    // One model: the picker follows a typed formula it can show, and a die picked after typing replaces it.
    await alice.getByTestId('formula-input').fill('2d6+1');
    assert.equal(await alice.getByTestId('die-d6').getAttribute('aria-checked'), 'true');
    assert.equal(await alice.getByTestId('dice-count').inputValue(), '2');
    await alice.getByTestId('die-d8').click();
    assert.equal(await alice.getByTestId('formula-input').inputValue(), '2d8+1');
    await alice.getByTestId('dice-count').fill('3');
    await alice.getByTestId('dice-modifier').fill('-1');
    assert.equal(await alice.getByTestId('formula-input').inputValue(), '3d8-1');
    await alice.getByTestId('roll').click();
    await waitForRolls(bob, 4);
    const roll = await shownRoll(bob, await feedEntries(bob).first().getAttribute('data-roll-id'));
    assert.equal(roll.formula, '3d8-1');
    assert.equal(roll.total, sum(kept(roll)) - 1);
  });

  await t.test('nothing on the phone screen scrolls sideways', async () => {
    await alice.getByTestId('formula-input').fill('10d6!+10d4+10d8+10d10+10d12+10d20+10d100');
    await alice.getByTestId('roll').click();
    await waitForRolls(alice, 5);
    await assertNoHorizontalScroll(alice, 'a room with a big roll on a phone');
  });

  await t.test('copy-link falls back to the copy command where the Clipboard API is refused', async () => {
    const carol = await b.openPage('Carol', PHONE, async (context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
      await context.addInitScript(() => {
        // Keep a way for the test to read the clipboard, then refuse writes as a locked-down browser would.
        const clipboard = navigator.clipboard;
        window.readClipboardForTest = () => clipboard.readText();
        Object.defineProperty(navigator, 'clipboard', {
          value: { writeText: () => Promise.reject(new DOMException('refused', 'NotAllowedError')) },
        });
      });
    });
    await signIn(carol, 'Carol');
    await joinRoom(carol, code);
    const id = await feedEntries(carol).first().getAttribute('data-roll-id');
    const copy = entry(carol, id).getByTestId('copy-link');
    await copy.click();
    await entry(carol, id).locator('[data-testid="copy-link"][data-copied="true"]').waitFor();
    assert.equal(await copy.getAttribute('data-link'), `${BASE_URL}/roll/${id}`);
    assert.equal(await carol.evaluate(() => window.readClipboardForTest()), `${BASE_URL}/roll/${id}`);
    await carol.getByTestId('leave').click();
    await carol.getByTestId('create-room').waitFor();
  });

  await t.test('Alice removes Bob (two clicks): he is told, and cannot come back', async () => {
    assert.equal(await bob.getByTestId('kick').count(), 0, 'only the admin may remove players');
    const kick = alice.getByTestId('players').locator('li', { hasText: 'Bob' }).getByTestId('kick');
    await kick.click();
    await kick.filter({ hasText: 'Sure?' }).waitFor();
    await kick.click();
    await bob.locator('[data-testid="error"][data-code="REMOVED"]').waitFor();
    assert.match(await bob.getByTestId('error').textContent(), new RegExp(`removed you from room ${code}`));
    await alice.getByTestId('players').locator('li', { hasText: 'Bob' }).waitFor({ state: 'detached' });
    await bob.getByTestId('join-code').fill(code);
    await bob.getByTestId('join-room').click();
    const refused = bob.locator('[data-testid="error"][data-code="KICKED"]');
    await refused.waitFor();
    assert.match(await refused.textContent(), /removed from that room and cannot join it again/);
    assert.equal(await bob.getByTestId('room-code').isVisible(), false);
  });

  await t.test('no script errors or blocked resources on either page', () => b.assertNoProblems());
});

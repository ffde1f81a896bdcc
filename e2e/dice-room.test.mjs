// Two players in two real browsers share a dice room (docs/protocol.md), through the platform at RF_BASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, WAIT, feedEntries, shownRoll, signIn, startBrowser } from './dice-support.mjs';

let browser;

before(async () => {
  browser = await startBrowser('room');
});

after(async () => {
  await browser?.close();
});

const openPage = (name, contextOptions) => browser.openPage(name, contextOptions);

async function waitForCount(locator, n) {
  await locator.nth(n - 1).waitFor();
  assert.equal(await locator.count(), n);
}

async function newestRollId(page) {
  return feedEntries(page).first().getAttribute('data-roll-id');
}

async function roll(page, { die, count, modifier }) {
  await page.getByTestId(`die-${die}`).click();
  await page.getByTestId('dice-count').fill(String(count));
  await page.getByTestId('dice-modifier').fill(String(modifier));
  await page.getByTestId('roll').click();
}

test('two players share a dice room and see the same rolls', { timeout: 120_000 }, async (t) => {
  let alice;
  let bob;
  let code;

  await t.test('Alice signs in (after a refused name) and creates a room', async () => {
    alice = await openPage('Alice', DESKTOP);
    await refusedName(alice);
    await signIn(alice, 'Alice');
    await alice.getByTestId('create-room').click();
    await alice.getByTestId('room-code').filter({ hasText: /\S/ }).waitFor();
    code = (await alice.getByTestId('room-code').textContent()).trim();
    assert.match(code, /^[A-Z]+-[A-Z]+-\d{4}$/);
  });

  await t.test('an unknown room code is refused (ROOM_NOT_FOUND) in words, without the raw code', async () => {
    bob = await openPage('Bob', PHONE);
    await signIn(bob, 'Bob');
    await bob.getByTestId('join-code').fill('NOSUCHROOM-0000');
    await bob.getByTestId('join-room').click();
    const error = bob.locator('[data-testid="error"][data-code="ROOM_NOT_FOUND"]');
    await error.waitFor();
    assert.match(await error.textContent(), /No room with code NOSUCHROOM-0000/);
    assert.doesNotMatch(await error.textContent(), /ROOM_NOT_FOUND/);
    assert.equal(await error.getAttribute('role'), 'alert');
  });

  await t.test('Bob joins by the code and both see both players', async () => {
    await bob.getByTestId('join-code').fill(code);
    await bob.getByTestId('join-room').click();
    await bob.getByTestId('room-code').filter({ hasText: code }).waitFor();
    await bob.waitForFunction(() => document.querySelector('[data-testid="error"]').textContent === '', null,
      { timeout: WAIT }); // the old error is gone
    for (const page of [alice, bob]) {
      const list = page.getByTestId('players');
      await list.locator('li', { hasText: 'Alice' }).waitFor();
      await list.locator('li', { hasText: 'Bob' }).waitFor();
      assert.equal(await list.locator('li').count(), 2);
    }
    const onBob = bob.getByTestId('players');
    assert.match(await onBob.locator('li', { hasText: 'Alice' }).textContent(), /admin/i);
    assert.match(await onBob.locator('li', { hasText: 'Bob' }).textContent(), /you/i);
  });

  let first;
  await t.test('Alice rolls 2d20+3 and both see the same roll', async () => {
    await roll(alice, { die: 'd20', count: 2, modifier: 3 });
    await waitForCount(feedEntries(alice), 1);
    const id = await newestRollId(alice);
    first = await shownRoll(alice, id);
    const atBob = await shownRoll(bob, id);
    assert.deepEqual(atBob, first);
    assert.equal(first.who, 'Alice');
    assert.equal(first.formula, '2d20+3');
    const values = first.dice.map((d) => d.value);
    assert.equal(values.length, 2);
    for (const v of values) assert.ok(v >= 1 && v <= 20, `a d20 showed ${v}`);
    assert.equal(first.total, values[0] + values[1] + 3);
  });

  await t.test('Bob rolls a d6 and both see it, newest first', async () => {
    await roll(bob, { die: 'd6', count: 1, modifier: 0 });
    await waitForCount(feedEntries(bob), 2);
    await waitForCount(feedEntries(alice), 2);
    const id = await newestRollId(bob);
    assert.notEqual(id, first.id);
    assert.equal(await newestRollId(alice), id);
    const atBob = await shownRoll(bob, id);
    assert.deepEqual(await shownRoll(alice, id), atBob);
    assert.equal(atBob.who, 'Bob');
    assert.equal(atBob.formula, '1d6');
    assert.equal(atBob.dice.length, 1);
    assert.ok(atBob.dice[0].value >= 1 && atBob.dice[0].value <= 6);
    assert.equal(atBob.total, atBob.dice[0].value);
  });

  await t.test('no script errors or blocked resources on either page', () => {
    browser.assertNoProblems();
  });
});

/** A name the rule refuses (checked in the browser first) shows its message next to the field, as text. */
async function refusedName(page) {
  await page.getByTestId('name-input').fill('<b>Al!ce</b>');
  await page.getByTestId('sign-in').click();
  await page.getByTestId('name-error').filter({ hasText: /\S/ }).waitFor();
  assert.equal(await page.locator('#view-signin b').count(), 0);
}

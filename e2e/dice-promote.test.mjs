// An open room becomes DM-led: the feed of everyone in it, and of players who come later (paging through
// older rolls), shows when that happened. Runs against the platform at RF_BASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, createRoom, feedKeys, joinRoom, rollFormula, rollIds, signIn, startBrowser, waitForRolls,
} from './dice-support.mjs';

let b;
before(async () => {
  b = await startBrowser('promote');
});
after(async () => {
  await b?.close();
});

test('open room promoted to DM-led: the history shows the change', { timeout: 120_000 }, async (t) => {
  let alice;
  let bob;
  let code;
  const before = [];

  await t.test('Alice creates an open room, Bob joins; only Alice may promote it', async () => {
    alice = await b.openPage('Alice', DESKTOP);
    await signIn(alice, 'Alice');
    code = await createRoom(alice, 'open');
    bob = await b.openPage('Bob', PHONE);
    await signIn(bob, 'Bob');
    await joinRoom(bob, code);
    await alice.getByTestId('players').locator('li', { hasText: 'Bob' }).waitFor();
    for (const page of [alice, bob]) {
      assert.equal(await page.getByTestId('room-mode').textContent(), 'Open');
      assert.equal(await page.locator('[data-testid="roll-mode"] option[value="secret"]').count(), 0,
        'no secret rolls in an open room');
      assert.equal(await page.getByTestId('dm-tools').isVisible(), false);
    }
    await alice.getByTestId('promote').waitFor();
    assert.equal(await bob.getByTestId('promote').isVisible(), false);
  });

  await t.test('both roll a few times', async () => {
    before.push(await rollFormula(alice, '1d20'));
    before.push(await rollFormula(bob, '4d6kh3'));
    before.push(await rollFormula(alice, '2d8+1'));
    await waitForRolls(bob, 3);
    await waitForRolls(alice, 3);
  });

  await t.test('Alice promotes the room (two clicks): both see the change in the feed', async () => {
    await alice.getByTestId('promote').click();
    await alice.locator('[data-testid="promote"][data-confirm="yes"]').waitFor();
    assert.equal(await bob.getByTestId('room-mode').textContent(), 'Open', 'one click changes nothing');
    await alice.getByTestId('promote').click();
    for (const page of [alice, bob]) {
      await page.getByTestId('room-mode').filter({ hasText: 'DM-led' }).waitFor();
      const change = page.locator('[data-testid="roll-feed"] [data-testid="change-entry"]');
      await change.waitFor();
      assert.equal(await change.count(), 1);
      assert.equal(await change.getAttribute('data-kind'), 'dm-led');
      assert.match(await change.textContent(), /Alice made this room DM-led/);
    }
    await alice.getByTestId('dm-tools').waitFor();
    await alice.locator('[data-testid="roll-mode"] option[value="secret"]').waitFor({ state: 'attached' });
    assert.equal(await alice.getByTestId('promote').isVisible(), false);
    assert.equal(await bob.getByTestId('dm-tools').isVisible(), false);
    assert.match(await bob.getByTestId('players').locator('li', { hasText: 'Alice' }).textContent(), /\bDM\b/);
  });

  let after1;
  await t.test('a later roll lands above the change, for both, in the same order', async () => {
    after1 = await rollFormula(bob, '1d6');
    await waitForRolls(alice, 4);
    const expected = [after1, 'change:dm-led', ...[...before].reverse()];
    assert.deepEqual(await feedKeys(bob), expected);
    assert.deepEqual(await feedKeys(alice), expected);
  });

  await t.test('Carol joins after 55 more rolls: she pages back and sees the change in its place', async () => {
    await alice.getByTestId('formula-input').fill('1d20');
    for (let i = 0; i < 55; i++) await alice.getByTestId('roll').click();
    await waitForRolls(alice, 59);
    await waitForRolls(bob, 59);
    const all = await feedKeys(alice);
    assert.deepEqual(await feedKeys(bob), all);

    const carol = await b.openPage('Carol', PHONE);
    await signIn(carol, 'Carol');
    await joinRoom(carol, code);
    await waitForRolls(carol, 50); // a view carries the newest 50
    const loadOlder = carol.getByTestId('load-older');
    await loadOlder.waitFor();
    assert.deepEqual((await rollIds(carol)), (await rollIds(alice)).slice(0, 50));
    await loadOlder.click();
    await waitForRolls(carol, 59);
    await loadOlder.waitFor({ state: 'hidden' }); // nothing older left
    assert.deepEqual(await feedKeys(carol), all);
    const ids = await rollIds(carol);
    assert.equal(new Set(ids).size, ids.length, 'no roll twice');
  });

  await t.test('no script errors or blocked resources on any page', () => b.assertNoProblems());
});

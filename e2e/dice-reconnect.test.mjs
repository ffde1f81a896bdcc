// A player's network drops while the table plays on; when it comes back the page catches up: the rolls it
// missed appear once each, the DC set meanwhile shows, and play goes on. Runs against the platform at RF_BASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, createRoom, entry, feedKeys, joinRoom, networkSwitch, rollFormula, rollIds, shownRoll, signIn,
  startBrowser, waitForRolls,
} from './dice-support.mjs';

let b;
before(async () => {
  b = await startBrowser('reconnect');
});
after(async () => {
  await b?.close();
});

test('a dropped connection catches up with no roll missing or twice', { timeout: 120_000 }, async (t) => {
  let alice;
  let bob;
  let net;
  let code;
  const seen = [];

  await t.test('Alice (DM) creates a room, Bob joins, both roll', async () => {
    alice = await b.openPage('Alice', DESKTOP);
    await signIn(alice, 'Alice');
    code = await createRoom(alice, 'dm-led');
    bob = await b.openPage('Bob', PHONE, async (context) => {
      net = networkSwitch(context);
      await net.ready;
    });
    await signIn(bob, 'Bob');
    await joinRoom(bob, code);
    assert.equal(net.opened, 1, 'Bob\'s socket goes through the switch');
    seen.push(await rollFormula(alice, '1d20'));
    seen.push(await rollFormula(bob, '2d6'));
    await waitForRolls(alice, 2);
    await waitForRolls(bob, 2);
  });

  const missed = [];
  let secret;
  await t.test('Bob\'s network drops: his page says so', async () => {
    await net.off();
    await bob.locator('[data-testid="conn-status"][data-state="offline"]').waitFor();
    // The server noticed too: Alice sees Bob go offline.
    await alice.getByTestId('players').locator('li[data-connected="false"]', { hasText: 'Bob' }).waitFor();
    assert.equal(await bob.getByTestId('roll').isDisabled(), true, 'no rolling into a dead socket');
  });

  await t.test('meanwhile Alice rolls, rolls in secret and sets a DC', async () => {
    missed.push(await rollFormula(alice, '3d6'));
    missed.push(await rollFormula(alice, '1d100'));
    secret = await rollFormula(alice, '1d20+1', { hidden: true });
    await alice.getByTestId('dc-input').fill('15');
    await alice.getByTestId('set-dc').click();
    await alice.getByTestId('room-dc').filter({ hasText: 'DC 15' }).waitFor();
    missed.push(await rollFormula(alice, '1d20', { hidden: false }));
    assert.deepEqual(await rollIds(bob), [...seen].reverse(), 'Bob got nothing while offline');
    assert.equal(await bob.getByTestId('room-dc').isVisible(), false);
  });

  await t.test('Bob comes back: the missed rolls appear once each, the DC too, the secret stays secret', async () => {
    await net.on();
    await bob.locator('[data-testid="conn-status"][data-state="connected"]').waitFor();
    await alice.getByTestId('players').locator('li[data-connected="true"]', { hasText: 'Bob' }).waitFor();
    assert.ok(net.opened >= 2, 'Bob reconnected on a new socket');
    await waitForRolls(bob, 6);
    await bob.getByTestId('room-dc').filter({ hasText: 'DC 15' }).waitFor();
    const ids = await rollIds(bob);
    assert.equal(new Set(ids).size, ids.length, `a roll shows twice: ${ids}`);
    assert.deepEqual(ids, await rollIds(alice));
    assert.deepEqual(await feedKeys(bob), await feedKeys(alice));
    for (const id of missed) assert.deepEqual(await shownRoll(bob, id), await shownRoll(alice, id));
    assert.equal((await shownRoll(bob, secret)).secret, true);
    assert.match((await shownRoll(bob, missed[2])).dc, /^DC 15: (pass|fail)$/);
  });

  await t.test('play goes on: Bob rolls and Alice reveals, each seen once by both', async () => {
    const next = await rollFormula(bob, '1d12');
    await waitForRolls(alice, 7);
    await entry(alice, secret).getByTestId('reveal').click();
    await entry(bob, secret).getByTestId('roll-total').waitFor();
    assert.equal((await shownRoll(bob, secret)).total, (await shownRoll(alice, secret)).total);
    assert.equal((await rollIds(bob))[0], next);
    const ids = await rollIds(bob);
    assert.equal(new Set(ids).size, 7);
    assert.deepEqual(ids, await rollIds(alice));
  });

  await t.test('no script errors or blocked resources on either page', () => {
    // Bob's page was offline on purpose: requests failing then are the point, not a problem.
    b.players.get('Bob').problems.splice(0, Infinity, ...b.players.get('Bob').problems
      .filter((p) => !/ERR_INTERNET_DISCONNECTED|WebSocket/.test(p)));
    b.assertNoProblems();
  });
});

// A DM-led room in two real browsers: the DM (on a phone) rolls in secret, reveals, sets a DC; the player only
// ever sees what the DM lets them see. Runs against the platform at RF_BASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, DESKTOP, PHONE, assertNoHorizontalScroll, createRoom, entry, joinRoom, rollFormula, shownRoll, signIn,
  startBrowser, waitForRolls,
} from './dice-support.mjs';

let b;
before(async () => {
  b = await startBrowser('dm');
});
after(async () => {
  await b?.close();
});

test('DM-led room: hidden roll, reveal, DC and pass/fail', { timeout: 120_000 }, async (t) => {
  let dana;
  let bob;
  let code;

  await t.test('Dana creates a DM-led room on her phone and gets the DM tools', async () => {
    dana = await b.openPage('Dana', PHONE);
    await signIn(dana, 'Dana');
    await assertNoHorizontalScroll(dana, 'the lobby on a phone');
    code = await createRoom(dana, 'dm-led');
    assert.equal(await dana.getByTestId('room-mode').textContent(), 'DM-led');
    await dana.getByTestId('dm-tools').waitFor();
    await dana.locator('[data-testid="roll-mode"] option[value="secret"]').waitFor({ state: 'attached' });
    assert.equal(await dana.getByTestId('promote').isVisible(), false, 'already DM-led: nothing to promote');
  });

  await t.test('Bob joins: he sees Dana as DM and has no DM tools', async () => {
    bob = await b.openPage('Bob', DESKTOP);
    await b.players.get('Bob').context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
    await signIn(bob, 'Bob');
    await joinRoom(bob, code);
    const danaOnBob = bob.getByTestId('players').locator('li', { hasText: 'Dana' });
    await danaOnBob.waitFor();
    assert.match(await danaOnBob.textContent(), /\bDM\b/);
    assert.equal(await bob.getByTestId('dm-tools').isVisible(), false);
    assert.equal(await bob.locator('[data-testid="roll-mode"] option[value="secret"]').count(), 0, 'no secret rolls');
    assert.equal(await bob.locator('[data-testid="roll-mode"] option[value="dm"]').count(), 1, 'a roll to the DM');
    await dana.getByTestId('players').locator('li', { hasText: 'Bob' }).waitFor();
  });

  let secret;
  let secretAtDana;
  await t.test('Dana rolls in secret: Bob sees only that she rolled', async () => {
    secret = await rollFormula(dana, '3d6+2', { hidden: true });
    secretAtDana = await shownRoll(dana, secret);
    assert.equal(secretAtDana.dice.length, 3);
    assert.equal(secretAtDana.total, secretAtDana.dice.reduce((s, d) => s + d.value, 0) + 2);
    await entry(dana, secret).getByTestId('roll-secret-badge').waitFor();
    await entry(dana, secret).getByTestId('reveal').waitFor();
    assert.equal(await entry(dana, secret).getByTestId('copy-link').count(), 0, 'no link to a secret roll');

    const atBob = await shownRoll(bob, secret);
    assert.equal(atBob.secret, true);
    assert.match(atBob.text, /rolled in secret/);
    assert.equal(atBob.total, null, 'Bob must not see a total');
    assert.deepEqual(atBob.dice, [], 'Bob must not see the dice');
    assert.equal(atBob.formula, null, 'Bob must not see the formula');
    assert.equal(await entry(bob, secret).getAttribute('data-total'), null);
    assert.equal(await entry(bob, secret).getByTestId('reveal').count(), 0);
    assert.equal(await entry(bob, secret).getByTestId('copy-link').count(), 0);
    await assertNoHorizontalScroll(dana, 'the DM\'s room on a phone');
  });

  await t.test('Dana reveals it: Bob sees the same dice and total', async () => {
    await entry(dana, secret).getByTestId('reveal').click();
    await entry(bob, secret).getByTestId('roll-total').waitFor();
    const atBob = await shownRoll(bob, secret);
    assert.equal(atBob.secret, false);
    assert.equal(atBob.total, secretAtDana.total);
    assert.deepEqual(atBob.dice, secretAtDana.dice);
    assert.equal(atBob.formula, '3d6+2');
    await entry(bob, secret).getByTestId('roll-revealed').waitFor();
    await entry(dana, secret).getByTestId('roll-revealed').waitFor();
    assert.equal(await entry(dana, secret).getByTestId('reveal').count(), 0, 'revealed once is enough');
  });

  await t.test('the revealed roll has a copy-link button that copies its permalink', async () => {
    await entry(bob, secret).getByTestId('copy-link').click();
    await entry(bob, secret).locator('[data-testid="copy-link"][data-copied="true"]').waitFor();
    const copied = await bob.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, `${BASE_URL}/roll/${secret}`);
  });

  await t.test('the copied link opens the roll in a fresh browser, signature verified', async () => {
    // The permalink exists once persistence-service has projected the reveal; wait for that, not for a time.
    const api = `${BASE_URL}/api/permalink/${secret}`;
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && (status = (await fetch(api)).status) !== 200) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 200, `${api} never answered 200`);
    const stranger = await b.openPage('Stranger', PHONE);
    await stranger.goto(`${BASE_URL}/roll/${secret}`);
    await stranger.locator('[data-testid="verify-status"][data-state="verified"]').waitFor();
    assert.equal((await stranger.getByTestId('roll-total').textContent()).trim(), String(secretAtDana.total));
    assert.equal((await stranger.getByTestId('roll-formula').textContent()).trim(), '3d6+2');
    await stranger.getByTestId('roll-revealed-label').waitFor(); // it was a secret roll, revealed
  });

  await t.test('Dana sets DC 12: everyone sees it, and later rolls pass or fail for both', async () => {
    await dana.getByTestId('dc-input').fill('31');
    await dana.getByTestId('set-dc').click();
    await dana.locator('[data-testid="dc-error"][data-code="INVALID_DC"]').waitFor();
    assert.equal(await bob.getByTestId('room-dc').isVisible(), false);

    await dana.getByTestId('dc-input').fill('12');
    await dana.getByTestId('set-dc').click();
    for (const page of [dana, bob]) await page.getByTestId('room-dc').filter({ hasText: 'DC 12' }).waitFor();
    assert.equal(await dana.getByTestId('dc-error').textContent(), '');

    const check = await rollFormula(bob, '1d20+5');
    await waitForRolls(dana, 2);
    const atBob = await shownRoll(bob, check);
    const atDana = await shownRoll(dana, check);
    assert.deepEqual(atDana, atBob);
    assert.equal(atBob.dc, `DC 12: ${atBob.total >= 12 ? 'pass' : 'fail'}`);
    assert.equal(await entry(bob, check).getByTestId('roll-dc').getAttribute('data-passed'), String(atBob.total >= 12));
    // The newest roll is on the stage at the top of both screens.
    await dana.getByTestId('roll-stage').filter({ hasText: 'Bob rolled 1d20+5' }).waitFor();
    assert.equal(await dana.getByTestId('stage-total').textContent(), String(atBob.total));
    await bob.getByTestId('roll-stage').filter({ hasText: 'You rolled 1d20+5' }).waitFor();
    // The roll made before the DC carries none.
    assert.equal((await shownRoll(bob, secret)).dc, null);
    await assertNoHorizontalScroll(dana, 'the DM\'s room with a DC on a phone');
  });

  await t.test('Dana clears the DC: it disappears for both and new rolls carry none', async () => {
    await dana.getByTestId('clear-dc').click();
    for (const page of [dana, bob]) await page.getByTestId('room-dc').waitFor({ state: 'hidden' });
    const plain = await rollFormula(dana, '1d20', { hidden: false });
    await waitForRolls(bob, 3);
    assert.equal((await shownRoll(bob, plain)).dc, null);
  });

  await t.test('no script errors or blocked resources on either page', () => b.assertNoProblems());
});

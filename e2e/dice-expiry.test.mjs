// A room nobody plays in warns with a countdown and then closes; the page says why. BrowserIT runs this file
// against a platform of its own whose open rooms expire after 6 s (game.dice.ttl.open), so the warning comes
// at once and the close a few seconds later.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, assertNoHorizontalScroll, createRoom, signIn, startBrowser } from './dice-support.mjs';

let b;
before(async () => {
  b = await startBrowser('expiry');
});
after(async () => {
  await b?.close();
});

const secondsLeft = (text) => {
  const m = /closes in (\d+):(\d\d)/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

test('an idle room warns, counts down and closes', { timeout: 60_000 }, async (t) => {
  let alice;
  let code;

  await t.test('the expiry banner counts down', async () => {
    alice = await b.openPage('Alice', PHONE);
    await signIn(alice, 'Alice');
    code = await createRoom(alice, 'open');
    const banner = alice.getByTestId('expiry-banner');
    await banner.waitFor();
    const first = secondsLeft(await banner.textContent());
    assert.ok(first >= 1 && first <= 6, await banner.textContent());
    await alice.waitForFunction((was) => {
      const m = /closes in (\d+):(\d\d)/.exec(document.querySelector('[data-testid="expiry-banner"]').textContent);
      return m && Number(m[1]) * 60 + Number(m[2]) < was;
    }, first, { timeout: 5_000 });
    await assertNoHorizontalScroll(alice, 'the expiry banner on a phone');
  });

  await t.test('the room closes: the page says it expired and leads back to the lobby', async () => {
    const reason = alice.getByTestId('closed-reason');
    await reason.waitFor({ timeout: 15_000 });
    assert.equal(await reason.getAttribute('data-reason'), 'expired');
    assert.equal(await reason.textContent(), `Nobody rolled for a while, so room ${code} closed.`);
    assert.equal(await alice.getByTestId('room-code').isVisible(), false);
    await alice.getByTestId('back-to-lobby').click();
    await alice.getByTestId('create-room').waitFor();
    await alice.getByTestId('join-code').fill(code);
    await alice.getByTestId('join-room').click();
    await alice.locator('[data-testid="error"][data-code="ROOM_NOT_FOUND"]').waitFor();
  });

  await t.test('no script errors or blocked resources', () => b.assertNoProblems());
});

// A room's end, in the browser. BrowserIT runs this file against a platform of its own where open rooms expire
// after 6 s (game.dice.ttl.open: the warning comes at once, the close a few seconds later) and an offline DM has
// 8 s to come back (game.dice.dm.grace).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, assertNoHorizontalScroll, createRoom, joinRoom, networkSwitch, signIn, startBrowser,
} from './dice-support.mjs';

let b;
before(async () => {
  b = await startBrowser('lifecycle');
});
after(async () => {
  await b?.close();
});

const COUNTDOWN = /closes in (\d+):(\d\d)/;
const secondsLeft = (text) => {
  const m = COUNTDOWN.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

/** Waits until the banner's countdown shows less than it did. */
async function countsDown(page, testid) {
  const banner = page.getByTestId(testid);
  await banner.waitFor();
  const first = secondsLeft(await banner.textContent());
  assert.ok(first >= 1, await banner.textContent());
  await page.waitForFunction(([id, was]) => {
    const m = /closes in (\d+):(\d\d)/.exec(document.querySelector(`[data-testid="${id}"]`).textContent);
    return m && Number(m[1]) * 60 + Number(m[2]) < was;
  }, [testid, first], { timeout: 5_000 });
  return first;
}

test('an idle room warns, counts down and closes', { timeout: 60_000 }, async (t) => {
  let alice;
  let code;

  await t.test('the expiry banner counts down', async () => {
    alice = await b.openPage('Alice', PHONE);
    await signIn(alice, 'Alice');
    code = await createRoom(alice, 'open');
    assert.ok(await countsDown(alice, 'expiry-banner') <= 6);
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
});

test('the DM drops out: a grace banner, then the room closes unless they are back', { timeout: 60_000 }, async (t) => {
  let dana;
  let bob;
  let net;
  let code;

  await t.test('Dana (DM) and Bob share a DM-led room', async () => {
    dana = await b.openPage('Dana', DESKTOP, async (context) => {
      net = networkSwitch(context);
      await net.ready;
    });
    await signIn(dana, 'Dana');
    code = await createRoom(dana, 'dm-led');
    bob = await b.openPage('Bob', PHONE);
    await signIn(bob, 'Bob');
    await joinRoom(bob, code);
    assert.equal(await bob.getByTestId('grace-banner').isVisible(), false);
  });

  await t.test('Dana drops out and comes back in time: the banner comes and goes', async () => {
    await net.off();
    const banner = bob.getByTestId('grace-banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), /Dana \(the DM\) lost their connection\. The room closes in 0:0\d/);
    await bob.getByTestId('players').locator('li[data-connected="false"]', { hasText: 'Dana' }).waitFor();
    await net.on();
    await dana.locator('[data-testid="conn-status"][data-state="connected"]').waitFor();
    await banner.waitFor({ state: 'hidden' });
    await bob.getByTestId('players').locator('li[data-connected="true"]', { hasText: 'Dana' }).waitFor();
    await dana.getByTestId('room-code').filter({ hasText: code }).waitFor();
  });

  await t.test('Dana drops out for good: Bob sees the countdown, then the room closes', async () => {
    await net.off();
    await countsDown(bob, 'grace-banner');
    await assertNoHorizontalScroll(bob, 'the grace banner on a phone');
    const reason = bob.getByTestId('closed-reason');
    await reason.waitFor({ timeout: 15_000 });
    assert.equal(await reason.getAttribute('data-reason'), 'dm_left');
    assert.match(await reason.textContent(), new RegExp(`The DM left room ${code}`));
  });

  await t.test('Dana comes back to a closed room and is told so', async () => {
    await net.on();
    const reason = dana.getByTestId('closed-reason');
    await reason.waitFor();
    assert.equal(await reason.getAttribute('data-reason'), 'gone');
    assert.equal(await reason.textContent(), `Room ${code} closed while you were away.`);
  });
});

test('no script errors or blocked resources', () => {
  const dana = b.players.get('Dana').problems;
  dana.splice(0, Infinity, ...dana.filter((p) => !/ERR_INTERNET_DISCONNECTED|WebSocket/.test(p)));
  b.assertNoProblems();
});

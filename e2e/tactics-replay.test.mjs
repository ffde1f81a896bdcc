// The replay viewer (/replay.html?session=<id>) over GET /api/sessions/{id}/replay (docs/protocol.md, Replay):
// two players fight a duel; a member opens the replay from the result card while the encounter is open; a third
// player may not until it closes, then steps through it with buttons and arrow keys, on a phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, DESKTOP, PHONE, assertNoHorizontalScroll, signIn, startBrowser } from './dice-support.mjs';
import { boardUnits, createEncounter, fightToTheEnd, joinEncounter, logTexts } from './tactics-support.mjs';

let browser;

before(async () => {
  // The replay answers a non-member's early look with 403, and an unknown session with 404, on purpose.
  browser = await startBrowser('tactics-replay', { expected: [400, 401, 403, 404] });
});

after(async () => {
  await browser?.close();
});

async function position(page) {
  const pos = page.getByTestId('replay-pos');
  await pos.filter({ hasText: /Step \d+ of \d+/ }).waitFor();
  return { step: Number(await pos.getAttribute('data-step')), steps: Number(await pos.getAttribute('data-steps')) };
}

/**
 * Opens the replay and reloads it until {@code ready(page)}: the archive the replay reads trails the live encounter
 * by a moment (docs/protocol.md, Sessions on the bus), so right after a fight (or a close) it may still be catching
 * up, answering fewer steps, or 403/404.
 */
async function openReplay(page, path, ready) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await page.goto(`${BASE_URL}${path}`);
    const shown = page.getByTestId('replay-pos').filter({ hasText: /Step \d+ of \d+/ })
      .or(page.getByTestId('replay-error').filter({ hasText: /\S/ }));
    await shown.first().waitFor();
    if (await ready(page)) return;
    assert.ok(Date.now() < deadline, 'the replay did not catch up with the encounter within 15 s');
    await page.waitForTimeout(250);
  }
}

async function showsTheEnd(page) {
  if (!(await page.getByTestId('replay-pos').isVisible())) return false;
  await page.getByTestId('replay-last').click();
  return (await caption(page)) === 'encounter_won' || (await caption(page)) === 'encounter_closed';
}

async function caption(page) {
  return page.getByTestId('replay-caption').getAttribute('data-type');
}

test('a finished encounter replays step by step', { timeout: 240_000 }, async (t) => {
  let alice;
  let bob;
  let carol;
  let replayPath;
  let liveLog;

  await t.test('Alice and Bob fight a duel to the end', async () => {
    alice = await browser.openPage('Alice', DESKTOP);
    await signIn(alice, 'Alice');
    const code = await createEncounter(alice, { scenario: 'duel', turnSeconds: '0' });
    bob = await browser.openPage('Bob', DESKTOP);
    await signIn(bob, 'Bob');
    await joinEncounter(bob, code);
    await bob.locator('[data-testid="roster-unit"][data-unit="raider"] [data-testid="claim"]').click();
    await alice.locator('[data-testid="roster-unit"][data-unit="raider"]', { hasText: 'Bob' }).waitFor();
    await alice.getByTestId('start-encounter').click();
    await fightToTheEnd(alice, bob);
    replayPath = await alice.getByTestId('replay-link').getAttribute('href');
    assert.match(replayPath, /^\/replay\.html\?session=[\w-]+$/);
    liveLog = await logTexts(alice);
  });

  await t.test('a member opens the replay from the result while the encounter is still open', async () => {
    const page = await alice.context().newPage();
    await openReplay(page, replayPath, showsTheEnd);
    await page.getByTestId('replay-first').click();
    const { step, steps } = await position(page);
    assert.equal(step, 1);
    assert.ok(steps >= 8, `only ${steps} steps`);
    await page.getByTestId('replay-last').click();
    await page.getByTestId('replay-status').filter({ hasText: /wins/ }).waitFor();
    assert.equal(await caption(page), 'encounter_won');
    assert.deepEqual(await logTexts(page), liveLog, 'the last step holds the whole live combat log');
    await page.close();
  });

  await t.test('a third player may not watch an open encounter', async () => {
    carol = await browser.openPage('Carol', PHONE);
    await signIn(carol, 'Carol');
    await carol.goto(`${BASE_URL}${replayPath}`);
    await carol.getByTestId('replay-error').filter({ hasText: /Only the players/ }).waitFor();
    assert.equal(await carol.getByTestId('replay-error').getAttribute('data-code'), 'FORBIDDEN');
  });

  await t.test('once the host leaves (closing it), anyone signed in steps through it', async () => {
    await alice.getByTestId('tactics-leave').click();
    await alice.getByTestId('tactics-leave').click(); // "Sure? This ends the encounter"
    await bob.getByTestId('closed-reason').filter({ hasText: /host left/ }).waitFor();
    assert.equal(await bob.getByTestId('closed-replay').getAttribute('href'), replayPath);

    // Closed: the replay is open to anyone signed in once the archive has the close.
    await openReplay(carol, replayPath, async (page) => (await showsTheEnd(page)) && (await caption(page)) === 'encounter_closed');
    await carol.getByTestId('replay-first').click();
    const { step, steps } = await position(carol);
    assert.equal(step, 1);
    assert.equal(await caption(carol), 'encounter_created');
    assert.equal(await carol.getByTestId('replay-prev').isDisabled(), true);
    assert.equal(await carol.getByTestId('replay-first').isDisabled(), true);

    await carol.getByTestId('replay-next').click();
    assert.equal((await position(carol)).step, 2);
    await carol.getByTestId('replay-prev').click();
    assert.equal((await position(carol)).step, 1);

    await carol.keyboard.press('ArrowRight');
    await carol.keyboard.press('ArrowRight');
    assert.equal((await position(carol)).step, 3);
    await carol.keyboard.press('ArrowLeft');
    assert.equal((await position(carol)).step, 2);

    // Stepping forward event by event, the hit points on the board only ever go down, and the fight ends.
    await carol.getByTestId('replay-first').click();
    const hp = new Map();
    const seen = [];
    for (let i = 1; i <= steps; i++) {
      assert.equal((await position(carol)).step, i);
      seen.push(await caption(carol));
      for (const u of await boardUnits(carol)) {
        if (hp.has(u.id)) assert.ok(u.hp <= hp.get(u.id), `${u.id} healed at step ${i}`);
        hp.set(u.id, u.hp);
      }
      if (i < steps) await carol.keyboard.press('ArrowRight');
    }
    assert.equal(await carol.getByTestId('replay-next').isDisabled(), true);
    for (const type of ['player_joined', 'unit_assigned', 'initiative_rolled', 'turn_started', 'attacked',
      'encounter_won']) {
      assert.ok(seen.includes(type), `no ${type} step in ${seen.join(', ')}`);
    }
    assert.equal(seen[seen.length - 1], 'encounter_closed');
    assert.ok([...hp.values()].some((v) => v === 0), 'someone is down at the end');
    await carol.keyboard.press('Home');
    assert.equal((await position(carol)).step, 1);
    await carol.keyboard.press('End');
    assert.equal((await position(carol)).step, steps);
    await assertNoHorizontalScroll(carol, 'the replay on a phone');
  });

  await t.test('an unknown session is a clear 404', async () => {
    await carol.goto(`${BASE_URL}/replay.html?session=no-such-session`);
    await carol.getByTestId('replay-error').filter({ hasText: /no encounter/ }).waitFor();
    browser.assertNoProblems();
  });
});

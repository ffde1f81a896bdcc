// Two players in two real browsers (two contexts: nothing shared) play a whole rock-paper-scissors match
// (docs/games.md's worked example; docs/protocol.md, Rock-paper-scissors): create by choosing the game in the
// lobby, join by code, secret choices (the opponent's socket never carries a choice before the reveal), a win, a
// draw, the match won, a rematch; on a phone without sideways scrolling.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, DESKTOP, PHONE, assertNoHorizontalScroll, signIn, startBrowser } from './dice-support.mjs';

let browser;

before(async () => {
  browser = await startBrowser('rps-play');
});

after(async () => {
  await browser?.close();
});

/** A page whose received WebSocket frames are kept, to check what reached it. */
async function openWatched(name, options) {
  const page = await browser.openPage(name, options, undefined, null);
  const frames = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await page.goto(`${BASE_URL}/`);
  return { page, frames };
}

const CHOICE_IN_FRAME = /"choice"\s*:\s*"(rock|paper|scissors)"/;

/** The round's first choice: it shows as this player's mark until the other player chooses. */
async function chooseFirst(page, choice) {
  await page.getByTestId(`choose-${choice}`).click();
  await page.locator('[data-testid="rps-my-mark"]', { hasText: choice }).waitFor();
}

/** The round's second choice reveals it at once: the page shows `n` rounds. */
async function chooseSecond(page, choice, n) {
  await page.getByTestId(`choose-${choice}`).click();
  return roundsShown(page, n);
}

async function roundsShown(page, n) {
  await page.locator('[data-testid="rps-rounds"] li').nth(n - 1).waitFor();
  return page.locator('[data-testid="rps-rounds"] li').allTextContents();
}

test('two players play a rock-paper-scissors match to the end, then a rematch', { timeout: 180_000 }, async (t) => {
  let alice;
  let bob;
  let aliceFrames;
  let bobFrames;
  let code;

  await t.test('Alice creates a best-of-3 match; Bob joins by its code on a phone', async () => {
    ({ page: alice, frames: aliceFrames } = await openWatched('Alice', DESKTOP));
    await signIn(alice, 'Alice');
    await alice.getByTestId('game-rps').check();
    await alice.getByTestId('rps-best-of').selectOption('3');
    await alice.getByTestId('create-room').click();
    await alice.getByTestId('rps-code').filter({ hasText: /\S/ }).waitFor();
    code = (await alice.getByTestId('rps-code').textContent()).trim();
    assert.match(code, /^[A-Z]+-[A-Z]+-\d{4}$/);
    await alice.locator('[data-testid="rps-status"][data-phase="waiting"]').waitFor();
    assert.match(await alice.getByTestId('rps-status').textContent(), new RegExp(`share code ${code}`));
    assert.equal(await alice.getByTestId('choose-rock').isDisabled(), true, 'nobody to play against yet');

    ({ page: bob, frames: bobFrames } = await openWatched('Bob', PHONE));
    await signIn(bob, 'Bob');
    await bob.getByTestId('join-code').fill(code);
    await bob.getByTestId('join-room').click();
    await bob.getByTestId('rps-code').filter({ hasText: code }).waitFor();
    for (const page of [alice, bob]) {
      await page.locator('[data-testid="rps-status"][data-phase="playing"][data-round="1"]').waitFor();
    }
    assert.equal(await alice.getByTestId('rps-opponent').textContent(), 'Bob');
    assert.equal(await bob.getByTestId('rps-opponent').textContent(), 'Alice');
    assert.equal(await bob.getByTestId('rps-length').textContent(), 'Best of 3');
    await assertNoHorizontalScroll(bob, 'Bob\'s match');
  });

  await t.test('Alice chooses in secret: Bob sees that she chose, never what', async () => {
    await chooseFirst(alice, 'rock');
    await bob.locator('[data-testid="rps-their-mark"][data-chosen="true"]').waitFor();
    assert.equal(await bob.getByTestId('rps-their-mark').textContent(), 'has chosen');
    assert.equal(await alice.getByTestId('choose-paper').isDisabled(), true, 'one choice per round');
    const leaked = bobFrames.filter((f) => CHOICE_IN_FRAME.test(f));
    assert.deepEqual(leaked, [], 'Bob\'s socket carried Alice\'s choice before the reveal');
  });

  await t.test('Bob chooses: both see the round revealed and scored', async () => {
    await chooseSecond(bob, 'scissors', 1);
    assert.deepEqual(await roundsShown(alice, 1), ['You won round 1: rock beats scissors']);
    assert.deepEqual(await roundsShown(bob, 1), ['Alice won round 1: rock beats scissors']);
    for (const page of [alice, bob]) {
      await page.locator('[data-testid="rps-status"][data-round="2"]').waitFor();
    }
    assert.equal(await alice.getByTestId('rps-my-score').textContent(), '1');
    assert.equal(await bob.getByTestId('rps-their-score').textContent(), '1');
    assert.equal(await bob.getByTestId('rps-my-score').textContent(), '0');
  });

  await t.test('a draw scores nothing; the next win takes the match', async () => {
    const seen = aliceFrames.length;
    await chooseFirst(bob, 'paper'); // Bob first this time: Alice's socket must not learn it either
    await alice.locator('[data-testid="rps-their-mark"][data-chosen="true"]').waitFor();
    assert.deepEqual(aliceFrames.slice(seen).filter((f) => CHOICE_IN_FRAME.test(f)), [],
      'Alice\'s socket carried Bob\'s choice before the reveal');
    assert.equal(await alice.getByTestId('rps-their-mark').textContent(), 'has chosen');
    assert.equal((await chooseSecond(alice, 'paper', 2))[1], 'Draw: paper and paper');
    assert.equal(await alice.getByTestId('rps-my-score').textContent(), '1', 'a draw scores nothing');
    await alice.locator('[data-testid="rps-status"][data-round="3"]').waitFor();
    await chooseFirst(alice, 'scissors');
    await bob.locator('[data-testid="rps-status"][data-round="3"]').waitFor();
    await chooseSecond(bob, 'paper', 3);
    for (const page of [alice, bob]) {
      await page.locator('[data-testid="rps-status"][data-phase="over"]').waitFor();
      await page.getByTestId('rps-result').waitFor();
    }
    assert.equal(await alice.getByTestId('rps-winner').textContent(), 'You won the match!');
    assert.equal(await bob.getByTestId('rps-winner').textContent(), 'Alice won the match.');
    assert.deepEqual(await bob.locator('[data-testid="rps-rounds"] li').allTextContents(), [
      'Alice won round 1: rock beats scissors', 'Draw: paper and paper', 'Alice won round 3: scissors beats paper',
    ]);
    assert.equal(await alice.getByTestId('rps-my-score').textContent(), '2');
    assert.equal(await alice.getByTestId('rps-their-score').textContent(), '0');
    await assertNoHorizontalScroll(bob, 'Bob\'s finished match');
  });

  await t.test('Bob asks for a rematch: a fresh match starts for both', async () => {
    await bob.getByTestId('rps-rematch').click();
    for (const page of [alice, bob]) {
      await page.locator('[data-testid="rps-status"][data-phase="playing"][data-round="1"]').waitFor();
      assert.equal(await page.getByTestId('rps-my-score').textContent(), '0');
      assert.equal(await page.locator('[data-testid="rps-rounds"] li').count(), 0);
    }
    await chooseFirst(bob, 'rock');
    await chooseSecond(alice, 'paper', 1);
    assert.deepEqual(await roundsShown(bob, 1), ['Alice won round 1: paper beats rock']);
  });

  await t.test('the pages logged no errors', async () => {
    browser.assertNoProblems();
  });
});

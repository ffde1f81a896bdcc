// Two players in two real browsers share a dice room (docs/protocol.md), through the platform at RF_BASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.RF_BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');
const WAIT = 10_000;
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

let browser;
/** name -> {page, problems}; problems are uncaught script errors and console errors (CSP violations among them). */
const players = new Map();

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
});

after(async () => {
  // Screenshots whatever happened: on a failure they show where it stopped.
  await mkdir(ARTIFACTS, { recursive: true });
  for (const [name, { page }] of players) {
    const path = `${ARTIFACTS}${name.toLowerCase()}.png`;
    await page.screenshot({ path, fullPage: true, animations: 'disabled' })
      .catch((e) => console.error(`screenshot of ${name} failed: ${e.message}`));
  }
  await browser?.close();
});

async function openPage(name, contextOptions) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs every 4xx; the 401 of "who am I?" before sign-in and the 400 of a refused name are expected.
    if (m.type() === 'error' && !/^Failed to load resource: .* status of 40[01]\b/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 500 || r.status() === 404) problems.push(`${r.status()} for ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  players.set(name, { page, problems });
  await page.goto(`${BASE_URL}/`);
  return page;
}

async function signIn(page, name) {
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('sign-in').click();
  await page.locator('[data-testid="conn-status"][data-state="connected"]').waitFor();
  assert.equal(await page.getByTestId('me').textContent(), name);
}

const feedEntries = (page) => page.locator('[data-testid="roll-feed"] [data-testid="roll-entry"]');

async function waitForCount(locator, n) {
  await locator.nth(n - 1).waitFor();
  assert.equal(await locator.count(), n);
}

/** What a player sees of one roll in the feed. */
async function shownRoll(page, rollId) {
  const entry = page.locator(`[data-testid="roll-feed"] [data-roll-id=${JSON.stringify(rollId)}]`);
  await entry.waitFor();
  return entry.evaluate((el) => ({
    id: el.dataset.rollId,
    total: Number(el.dataset.total),
    shownTotal: Number(el.querySelector('[data-testid="roll-total"]').textContent.replace(/\D+/g, '')),
    dice: [...el.querySelectorAll('[data-testid="die-value"]')].map((d) => Number(d.textContent)),
    who: el.querySelector('.roll-who').textContent,
    formula: el.querySelector('.roll-formula').textContent,
  }));
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
    alice = await openPage('Alice', { viewport: { width: 1280, height: 800 } });
    await refusedName(alice);
    await signIn(alice, 'Alice');
    await alice.getByTestId('create-room').click();
    await alice.getByTestId('room-code').filter({ hasText: /\S/ }).waitFor();
    code = (await alice.getByTestId('room-code').textContent()).trim();
    assert.match(code, /^[A-Z]+-\d{4}$/);
  });

  await t.test('an unknown room code is refused with ROOM_NOT_FOUND', async () => {
    bob = await openPage('Bob', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(bob, 'Bob');
    await bob.getByTestId('join-code').fill('NOSUCHROOM-0000');
    await bob.getByTestId('join-room').click();
    const error = bob.getByTestId('error');
    await error.filter({ hasText: 'ROOM_NOT_FOUND' }).waitFor();
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
    assert.equal(first.dice.length, 2);
    for (const d of first.dice) assert.ok(d >= 1 && d <= 20, `a d20 showed ${d}`);
    assert.equal(first.total, first.dice[0] + first.dice[1] + 3);
    assert.equal(first.shownTotal, first.total);
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
    assert.ok(atBob.dice[0] >= 1 && atBob.dice[0] <= 6);
    assert.equal(atBob.total, atBob.dice[0]);
  });

  await t.test('no script errors or blocked resources on either page', () => {
    for (const [name, { problems }] of players) assert.deepEqual(problems, [], `${name}'s page`);
  });
});

/** A name the server refuses shows its message next to the field, as text. */
async function refusedName(page) {
  await page.getByTestId('name-input').fill('<b>Al!ce</b>');
  await page.getByTestId('sign-in').click();
  await page.getByTestId('name-error').filter({ hasText: /\S/ }).waitFor();
  assert.equal(await page.locator('#view-signin b').count(), 0);
}

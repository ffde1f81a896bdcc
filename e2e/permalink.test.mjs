// A roll's permalink page in a fresh browser (no sign-in, no cookies): it verifies the platform's signature with
// WebCrypto and shows "Verified"; a roll changed on the way fails; unknown and junk links say so (docs/protocol.md,
// Permalinks). Needs RF_BASE_URL and a projected roll: RF_ROLL_ID (and RF_ROLL_TOTAL,
// RF_ROLL_NAME); PermalinkIT sets them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, startBrowser } from './dice-support.mjs';

const ROLL_ID = process.env.RF_ROLL_ID;
const ROLL_TOTAL = process.env.RF_ROLL_TOTAL;
const ROLL_NAME = process.env.RF_ROLL_NAME;
const PHONE = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

let browser;

before(async () => {
  assert.ok(ROLL_ID, 'RF_ROLL_ID names a projected roll');
  // The page and API answer 400 and 404 on purpose in these tests.
  browser = await startBrowser('permalink', { expected: [400, 404] });
});

after(async () => {
  await browser?.close();
});

/** A new browser context (nothing shared with any other page), not loaded yet, and the problems it reports. */
async function freshPage(name, options = PHONE) {
  const page = await browser.openPage(name, options, undefined, null);
  return { page, problems: browser.players.get(name).problems };
}

const status = (page) => page.locator('[data-testid="verify-status"]');

test('a fresh browser context opens a permalink and sees it verified', async () => {
  const { page, problems } = await freshPage('verified');
  const res = await page.goto(`${BASE_URL}/roll/${ROLL_ID}`);
  assert.equal(res.status(), 200);
  await page.locator('[data-testid="verify-status"][data-state="verified"]').waitFor();
  assert.equal((await status(page).textContent()).trim(), 'Verified');
  if (ROLL_TOTAL) assert.equal((await page.getByTestId('roll-total').textContent()).trim(), ROLL_TOTAL);
  if (ROLL_NAME) assert.equal(await page.getByTestId('roll-player').textContent(), ROLL_NAME);
  // 4d6kh3+1d8+2: five dice, one of the d6 dropped.
  assert.equal(await page.getByTestId('die-value').count(), 5);
  assert.equal(await page.locator('[data-testid="die-value"][data-kept="false"]').count(), 1);
  assert.match(await page.getByTestId('roll-time').getAttribute('datetime'), /^\d{4}-\d\d-\d\dT/);
  // Usable on a phone: nothing wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 375px phone`);
  assert.deepEqual(problems, []);
});

test('a roll changed on its way to the browser fails the check', async () => {
  const { page } = await freshPage('tampered');
  await page.route('**/api/permalink/*', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.roll.total += 1;
    await route.fulfill({ response, json: body });
  });
  await page.goto(`${BASE_URL}/roll/${ROLL_ID}`);
  await page.locator('[data-testid="verify-status"][data-state="failed"]').waitFor();
  assert.match(await status(page).textContent(), /Not verified/);
});

test('an unknown or expired roll says so clearly', async () => {
  const { page, problems } = await freshPage('unknown');
  const res = await page.goto(`${BASE_URL}/roll/AAAAAAAAAAAAAAAA`);
  assert.equal(res.status(), 404);
  await page.getByTestId('roll-error').waitFor();
  assert.equal(await page.getByTestId('roll-error-title').textContent(), 'Roll not found');
  assert.match(await page.getByTestId('roll-error-message').textContent(), /30 days/);
  assert.equal(await page.getByTestId('verify-status').getAttribute('data-state'), 'none');
  assert.equal(await page.getByTestId('roll').isHidden(), true);
  assert.deepEqual(problems, []);
});

test('a link that cannot be a roll says so', async () => {
  const { page } = await freshPage('junk', { viewport: { width: 1200, height: 800 } });
  const res = await page.goto(`${BASE_URL}/roll/not-a-roll`);
  assert.equal(res.status(), 400);
  await page.getByTestId('roll-error').waitFor();
  assert.equal(await page.getByTestId('roll-error-title').textContent(), 'Not a roll link');
});

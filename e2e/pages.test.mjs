// The first page and the page shell (issue 18): what Rune Forge is and a way in ("Try a dice room"); names
// checked in the browser before they are sent; refusals in words without raw codes; a new view starts at its top; a
// clear offline state; installable (manifest, service worker for the app shell); the first load at most 200 KB
// compressed without the lazily loaded LiveKit client; axe-core finds nothing serious on any of these.
import assert from 'node:assert/strict';
import test from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  BASE_URL, DESKTOP, PHONE, assertAccessible, createRoom, networkSwitch, signIn, startBrowser,
} from './dice-support.mjs';

const FIRST_LOAD_LIMIT = 200 * 1024;
const RAW_CODE = /\b[A-Z]{3,}(_[A-Z]+)+\b/;

test('the first page, the shell and its states', { timeout: 240_000 }, async (t) => {
  const b = await startBrowser('pages', { expected: [400, 401, 404] });
  t.after(() => b.close());

  await t.test('the first load is at most 200 KB compressed (without the LiveKit client)', async () => {
    const sizes = new Map();
    const page = await b.openPage('Size', DESKTOP, async (context) => {
      context.on('response', async (r) => {
        const url = new URL(r.url());
        if (url.origin !== BASE_URL || url.pathname.startsWith('/vendor/livekit')) return;
        try {
          sizes.set(url.pathname, gzipSync(await r.body(), { level: 9 }).length);
        } catch {
          // a response without a body (a redirect, a 204)
        }
      });
    }, null);
    await page.goto(`${BASE_URL}/`);
    await signIn(page, 'Zoë 2');
    await createRoom(page); // the dice room's code and markup too
    await page.waitForTimeout(1500); // anything the room loads after it shows
    const total = [...sizes.values()].reduce((a, n) => a + n, 0);
    console.log(`first load: ${sizes.size} files, ${(total / 1024).toFixed(1)} KB gzipped`);
    assert.ok(sizes.has('/app.js') && sizes.has('/style.css'), 'the shell was measured');
    assert.ok(total <= FIRST_LOAD_LIMIT, `first load ${total} bytes compressed > ${FIRST_LOAD_LIMIT}`);
  });

  for (const [size, label] of [[DESKTOP, '1280×800'], [PHONE, '390×844']]) {
    await t.test(`${label}: the first page says what Rune Forge is, and names are checked before sending`, async () => {
      const sent = [];
      const page = await b.openPage(`First ${label}`, size, async (context) => {
        context.on('request', (r) => {
          if (r.url().endsWith('/api/auth/guest')) sent.push(r.postData());
        });
      });
      await page.getByRole('heading', { level: 1, name: 'Rune Forge' }).waitFor();
      await page.getByTestId('try-dice').waitFor();
      await page.getByTestId('try-duel').waitFor();
      await assertAccessible(page, `the first page at ${label}`);
      for (const bad of ['Ada!', '--', '<b>']) {
        await page.getByTestId('name-input').fill(bad);
        await page.getByTestId('sign-in').click();
        await page.getByTestId('name-error').filter({ hasText: /\S/ }).waitFor();
        assert.doesNotMatch(await page.getByTestId('name-error').textContent(), RAW_CODE);
      }
      assert.equal(await page.getByTestId('name-input').getAttribute('aria-invalid'), 'true');
      await assertAccessible(page, `a refused name at ${label}`);
      assert.deepEqual(sent, [], 'a refused name never leaves the browser');
      await signIn(page, size === PHONE ? "O'Neil" : 'Ana-Maria');
      assert.equal(sent.length, 1);
      await assertAccessible(page, `the lobby at ${label}`);
    });
  }

  await t.test('"Try a dice room": a name, and the room opens', async () => {
    const page = await b.openPage('Try', PHONE);
    await page.getByTestId('try-dice').click();
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'name-input');
    await page.getByTestId('name-input').fill('Newcomer');
    await page.getByTestId('sign-in').click();
    await page.getByTestId('room-code').filter({ hasText: /^[A-Z]+-[A-Z]+-\d{4}$/ }).waitFor();
    await page.getByTestId('roll').waitFor();
  });

  await t.test('a refusal in words, without its code; a new view starts at its top', async () => {
    const page = b.players.get('First 1280×800').page;
    await page.getByTestId('join-code').fill('ZZZZ-0000');
    await page.getByTestId('join-room').click();
    const alert = page.locator('[data-testid="error"][data-code="ROOM_NOT_FOUND"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /No room with code ZZZZ-0000/);
    assert.doesNotMatch(await alert.textContent(), RAW_CODE);
    await assertAccessible(page, 'the lobby with a refusal');
    await createRoom(page);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    assert.ok(await page.evaluate(() => window.scrollY) > 0, 'the room scrolls');
    await page.getByTestId('leave').click();
    await page.getByTestId('create-room').waitFor();
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'the lobby starts at its top');
  });

  await t.test('offline: said over the page, and why Roll waits', async () => {
    const page = await b.openPage('Offline', PHONE, async () => {}, null);
    const net = networkSwitch(b.players.get('Offline').context);
    await net.ready;
    await page.goto(`${BASE_URL}/`);
    await signIn(page, 'Offline Olga');
    await createRoom(page);
    await net.off();
    await page.getByTestId('offline-banner').filter({ hasText: /offline|dropped/ }).waitFor();
    await page.getByTestId('roll-offline').waitFor();
    assert.equal(await page.getByTestId('roll').isDisabled(), true);
    await assertAccessible(page, 'a room while offline');
    await net.on();
    await page.getByTestId('offline-banner').waitFor({ state: 'hidden', timeout: 30_000 });
    await page.getByTestId('roll-offline').waitFor({ state: 'hidden' });
  });

  await t.test('installable: a manifest, and a service worker that keeps the app shell', async () => {
    const page = b.players.get('Try').page;
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const manifest = await (await fetch(new URL(href, `${BASE_URL}/`))).json();
    assert.equal(manifest.name, 'Rune Forge');
    assert.equal(manifest.start_url, '/');
    assert.equal(manifest.display, 'standalone');
    assert.ok(manifest.icons.length >= 1);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, `${BASE_URL}/`);
    const cached = await page.evaluate(async () => {
      const cache = await caches.open('rf-shell-v1');
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    for (const f of ['/', '/app.js', '/style.css']) assert.ok(cached.includes(f), `${f} in the app-shell cache`);
    assert.ok(!cached.some((p) => p.startsWith('/api/') || p.startsWith('/roll/')), 'nothing live cached');
  });

  await t.test('no script errors or blocked resources on any page', () => b.assertNoProblems());
});

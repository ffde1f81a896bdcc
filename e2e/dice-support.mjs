// Shared pieces of the browser tests (dice-*.test.mjs, permalink.test.mjs): a Chromium, pages that record their
// own script errors, and the steps every dice scenario takes (sign in, create, join, roll).
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.RF_BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');
export const WAIT = 10_000;
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 800 } };

/**
 * One browser per test file; `close` screenshots every page first (on a failure they show where it stopped).
 * @param {object} [options] {expected: HTTP statuses the file provokes on purpose, so not counted as problems}
 */
export async function startBrowser(prefix, { expected = [400, 401] } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  /** name -> {page, context, problems}; problems: uncaught script errors, console errors (CSP ones among them). */
  const players = new Map();

  /**
   * A page in a new browser context (nothing shared with any other page), at `path` (null: not loaded yet).
   * @param {(context) => Promise<void>} [setup] runs before the first page load (routes, init scripts)
   */
  async function openPage(name, contextOptions = DESKTOP, setup = async () => {}, path = '/') {
    const context = await browser.newContext(contextOptions);
    await setup(context);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const problems = [];
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    page.on('console', (m) => {
      // Chromium logs every 4xx; by default the 401 of "who am I?" before sign-in and the 400 of a refused name.
      const status = /^Failed to load resource: .* status of (\d{3})\b/.exec(m.text());
      if (m.type() === 'error' && !(status && expected.includes(Number(status[1])))) {
        problems.push(`console: ${m.text()}`);
      }
    });
    page.on('response', (r) => {
      if ((r.status() >= 500 || r.status() === 404) && !expected.includes(r.status())) {
        problems.push(`${r.status()} for ${r.url()}`);
      }
    });
    players.set(name, { page, context, problems });
    if (path !== null) await page.goto(`${BASE_URL}${path}`);
    return page;
  }

  async function close() {
    await mkdir(ARTIFACTS, { recursive: true });
    for (const [name, { page }] of players) {
      await page.screenshot({ path: `${ARTIFACTS}${prefix}-${name.toLowerCase()}.png`, fullPage: true, animations: 'disabled' })
        .catch((e) => console.error(`screenshot of ${name} failed: ${e.message}`));
    }
    await browser.close();
  }

  function assertNoProblems() {
    for (const [name, { problems }] of players) assert.deepEqual(problems, [], `${name}'s page`);
  }

  return { browser, openPage, close, players, assertNoProblems };
}

export async function signIn(page, name) {
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('sign-in').click();
  await page.locator('[data-testid="conn-status"][data-state="connected"]').waitFor();
  assert.equal(await page.getByTestId('me').textContent(), name);
}

/** Creates a room in the given mode; returns its code. */
export async function createRoom(page, mode = 'open') {
  await page.getByTestId(mode === 'dm-led' ? 'mode-dm-led' : 'mode-open').check();
  await page.getByTestId('create-room').click();
  await page.getByTestId('room-code').filter({ hasText: /\S/ }).waitFor();
  const code = (await page.getByTestId('room-code').textContent()).trim();
  assert.match(code, /^[A-Z]+-[A-Z]+-\d{4}$/);
  return code;
}

export async function joinRoom(page, code) {
  await page.getByTestId('join-code').fill(code);
  await page.getByTestId('join-room').click();
  await page.getByTestId('room-code').filter({ hasText: code }).waitFor();
}

export const feedEntries = (page) => page.locator('[data-testid="roll-feed"] [data-testid="roll-entry"]');

/** The roll ids in a page's feed, newest first. */
export async function rollIds(page) {
  return feedEntries(page).evaluateAll((els) => els.map((el) => el.dataset.rollId));
}

/** The feed, newest first: rolls as their id, history lines as `change:<kind>`. */
export async function feedKeys(page) {
  return page.locator('[data-testid="roll-feed"] > li').evaluateAll((els) => els.map((el) =>
    (el.dataset.testid === 'change-entry' ? `change:${el.dataset.kind}` : el.dataset.rollId)));
}

/** Waits until the feed holds exactly n rolls. */
export async function waitForRolls(page, n) {
  await page.waitForFunction((want) =>
    document.querySelectorAll('[data-testid="roll-feed"] [data-testid="roll-entry"]').length === want, n,
  { timeout: WAIT });
}

/**
 * Rolls `text` from the formula field and waits for the roll to arrive in the roller's own feed; returns its id.
 * @param {object} [options] {advantage: 'advantage'|'disadvantage', hidden: boolean (a secret roll), mode:
 *   'public'|'dm'|'self'|'secret', label}
 */
export async function rollFormula(page, text, options = {}) {
  const before = new Set(await rollIds(page));
  await page.getByTestId('formula-input').fill(text);
  if (options.advantage) await page.getByTestId(`adv-${options.advantage}`).check();
  if (options.label !== undefined) await page.getByTestId('roll-label').fill(options.label);
  const mode = options.mode || (options.hidden ? 'secret' : undefined);
  if (mode) await page.getByTestId('roll-mode').selectOption(mode);
  await page.getByTestId('roll').click();
  const handle = await page.waitForFunction((known) => {
    const ids = [...document.querySelectorAll('[data-testid="roll-feed"] [data-testid="roll-entry"].mine')]
      .map((el) => el.dataset.rollId);
    return ids.find((id) => !known.includes(id));
  }, [...before], { timeout: WAIT });
  return handle.jsonValue();
}

export function entry(page, rollId) {
  return page.locator(`[data-testid="roll-feed"] [data-roll-id=${JSON.stringify(rollId)}]`);
}

/** What a player sees of one roll. */
export async function shownRoll(page, rollId) {
  const el = entry(page, rollId);
  await el.waitFor();
  return el.evaluate((li) => ({
    id: li.dataset.rollId,
    total: li.querySelector('[data-testid="roll-total"]')
      ? Number(li.querySelector('[data-testid="roll-total"]').textContent.replace(/[^\d-]+/g, '')) : null,
    secret: Boolean(li.querySelector('[data-testid="roll-secret"]')),
    dice: [...li.querySelectorAll('[data-testid="die-value"]')].map((d) => ({
      value: Number(d.textContent), dropped: d.classList.contains('dropped'),
    })),
    dc: li.querySelector('[data-testid="roll-dc"]')?.textContent ?? null,
    who: li.querySelector('.roll-who').textContent,
    formula: li.querySelector('.roll-formula')?.textContent ?? null,
    text: li.textContent,
  }));
}

/** Nothing on the page is wider than the viewport: no sideways scrolling on a phone. */
export async function assertNoHorizontalScroll(page, where) {
  const { scrollWidth, clientWidth, wide } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // Inside a frame that scrolls on its own (the tactics board on a phone) is not the page scrolling sideways.
    const framed = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (/(auto|scroll)/.test(getComputedStyle(p).overflowX) && p.getBoundingClientRect().right <= width + 0.5) {
          return true;
        }
      }
      return false;
    };
    const over = [...document.querySelectorAll('body *')]
      .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().right > width + 0.5 && !framed(el))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className}`);
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: width, wide: over };
  });
  assert.ok(scrollWidth <= clientWidth, `${where}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport; `
    + `too wide: ${wide.join(', ')}`);
  assert.deepEqual(wide, [], `${where}: elements past the right edge`);
}

/**
 * A switch for a browser context's network. Chromium's offline emulation (setOffline) fails HTTP and fires the
 * page's `offline` event but leaves WebSockets alone, so the sockets go through a route too: while the switch
 * is off, new sockets are refused at once. The live socket is closed by the page itself on `offline` (the
 * client's reaction to losing the network), and the route passes that close on to the gateway, which then sees
 * the player go. (Closing it from the route instead leaves the gateway's end open until its heartbeat gives up.)
 */
export function networkSwitch(context) {
  const state = { cut: false, opened: 0, refused: 0 };
  const ready = context.routeWebSocket(/\/ws$/, (ws) => {
    if (state.cut) {
      state.refused++;
      ws.close({ code: 1011, reason: 'offline' });
      return;
    }
    state.opened++;
    ws.connectToServer(); // no handlers: frames and closes pass through both ways
  });
  return {
    ready,
    get opened() {
      return state.opened;
    },
    get refused() {
      return state.refused;
    },
    async off() {
      state.cut = true;
      await context.setOffline(true);
    },
    async on() {
      state.cut = false;
      await context.setOffline(false);
    },
  };
}

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the page once its finite animations have ended (a roll that just arrived fades in: axe measuring
 * contrast mid-fade sees a colour nobody reads): no serious or critical violation (WCAG 2 A/AA and best
 * practices). axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
 * govern.
 */
export async function assertAccessible(page, where) {
  await page.evaluate(async () => {
    const ending = document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity);
    await Promise.all(ending.map((a) => a.finished.catch(() => {})));
  });
  // Its own evaluation: the DevTools protocol lifts the CSP for what runs at once, not after an await.
  const found = await page.evaluate(async (source) => {
    if (!window.axe) (0, eval)(source);
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  }, AXE);
  assert.deepEqual(found, [], `${where}: accessibility violations`);
}

/** Whether an element is inside the viewport, not scrolled away and not covered by anything else. */
export async function inViewport(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return Boolean(hit && (el === hit || el.contains(hit)));
  });
}

/** Every WebSocket frame the page receives, as text (to check what a socket never carried). */
export function recordFrames(page) {
  const frames = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  return frames;
}

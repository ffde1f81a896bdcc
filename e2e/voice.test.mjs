// The voice panel (docs/protocol.md, Voice) in real Chromium, against the platform at RF_BASE_URL. RF_VOICE says
// how the platform was started (gateway-service's VoiceBrowserIT starts one of each):
//   off: no LiveKit configured -> the panel never shows and the game is untouched.
//   unreachable: LiveKit configured at an address where nothing listens (RF_LIVEKIT_URL) -> the panel shows, joining
//     voice fails visibly, and the game keeps working.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, WAIT, createRoom, joinRoom, rollFormula, signIn, startBrowser } from './dice-support.mjs';

const MODE = process.env.RF_VOICE || 'off';
const LIVEKIT_URL = process.env.RF_LIVEKIT_URL || '';
let browser;

before(async () => {
  // 403/404: a token refused while the session directory does not list the player (yet); expected, and shown.
  browser = await startBrowser(`voice-${MODE}`, { expected: [400, 401, 403, 404] });
});

after(async () => {
  await browser?.close();
});

/** Opens a page whose answer to GET /api/livekit the test can await. */
async function playerPage(name) {
  const page = await browser.openPage(name, DESKTOP, async () => {}, null);
  const status = page.waitForResponse((r) => r.url().endsWith('/api/livekit'), { timeout: WAIT });
  await page.goto(`${process.env.RF_BASE_URL}/`);
  return { page, status };
}

/**
 * The problems of a page that are not the browser's or LiveKit's own complaints about the unreachable server (a
 * refused connection, a failed WebSocket). A Content-Security-Policy violation is never excused: the policy must let
 * the page reach the configured LiveKit.
 */
function gameProblems(name) {
  const { problems } = browser.players.get(name);
  const csp = problems.filter((p) => /Content Security Policy/i.test(p));
  assert.deepEqual(csp, [], `${name}'s page broke its own policy`);
  return problems.filter((p) => !(LIVEKIT_URL && p.includes(new URL(LIVEKIT_URL).host))
    && !/ERR_CONNECTION_REFUSED|livekit|websocket|could not establish signal connection|failed to connect/i.test(p));
}

test(`voice ${MODE}: the panel and the game`, { timeout: 120_000 }, async (t) => {
  if (MODE === 'off') {
    await t.test('without LiveKit the panel stays hidden and the game plays on', async () => {
      const { page, status } = await playerPage('Olga');
      await signIn(page, 'Olga');
      await createRoom(page);
      const answer = await (await status).json();
      assert.equal(answer.enabled, false);
      // Give the panel every chance to (wrongly) show up after the answer.
      await page.waitForTimeout(500);
      assert.equal(await page.getByTestId('voice-panel').isVisible(), false);
      await rollFormula(page, '1d20');
      const res = await page.request.post(`${process.env.RF_BASE_URL}/api/livekit/token`, { data: { session: 'x'.repeat(32) } });
      assert.equal(res.status(), 503);
      assert.equal((await res.json()).code, 'LIVEKIT_NOT_CONFIGURED');
      browser.assertNoProblems();
    });
    return;
  }

  assert.equal(MODE, 'unreachable');
  let alice;
  let bob;
  let code;
  await t.test('with LiveKit configured the panel appears in the room', async () => {
    ({ page: alice } = await playerPage('Alice'));
    await signIn(alice, 'Alice');
    code = await createRoom(alice);
    await alice.getByTestId('voice-panel').waitFor({ state: 'visible' });
    assert.match(await alice.getByTestId('voice-status').textContent(), /voice/i);
    assert.equal(await alice.getByTestId('voice-join').isVisible(), true);

    let status;
    ({ page: bob, status } = await playerPage('Bob'));
    await signIn(bob, 'Bob');
    await joinRoom(bob, code);
    assert.equal((await (await status).json()).enabled, true);
    await bob.getByTestId('voice-panel').waitFor({ state: 'visible' });
  });

  await t.test('joining voice fails visibly when LiveKit cannot be reached, and the game keeps working', async () => {
    await alice.getByTestId('voice-join').click();
    // The token is issued (Alice is a member), livekit-client loads and dials LiveKit, which is not there: a
    // clear state, never a hang, and never in voice.
    await alice.waitForFunction(() => {
      const state = document.querySelector('[data-testid="voice-panel"]').dataset.state;
      return state && !['ready', 'connecting'].includes(state);
    }, null, { timeout: 30_000 });
    const state = await alice.getByTestId('voice-panel').getAttribute('data-state');
    t.diagnostic(`voice state after joining: ${state} (${await alice.getByTestId('voice-status').textContent()})`);
    assert.equal(state, 'failed');
    assert.equal(await alice.getByTestId('voice-join').isVisible(), true, 'free to try again');
    assert.equal(await alice.getByTestId('voice-leave').isVisible(), false);

    // The game is untouched: both still roll and see each other's rolls, the socket never dropped.
    const rollId = await rollFormula(alice, '2d6+1');
    await bob.locator(`[data-testid="roll-entry"][data-roll-id="${rollId}"]`).waitFor();
    await rollFormula(bob, '1d20');
    assert.equal(await alice.locator('[data-testid="conn-status"]').getAttribute('data-state'), 'connected');
    assert.deepEqual(gameProblems('Alice'), []);
    assert.deepEqual(gameProblems('Bob'), []);
  });

  await t.test('leaving the room hides the panel', async () => {
    await bob.getByTestId('leave').click();
    await bob.getByTestId('create-room').waitFor();
    assert.equal(await bob.getByTestId('voice-panel').isVisible(), false);
  });
});

// Every roll where you look (issue 18): at 1280×800 and 390×844, after each roll (your own, another player's, the
// DM's secret one) the newest roll's total is on screen without scrolling; a player's roll to the DM reaches the
// DM and no other player's socket (raw frames checked); table talk reaches the room's members only, as text; a
// shared roll's page has link-preview tags; axe-core finds nothing serious in any of these states.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  BASE_URL, DESKTOP, PHONE, WAIT, assertAccessible, createRoom, inViewport, joinRoom, recordFrames, rollFormula,
  shownRoll, signIn, startBrowser, waitForRolls,
} from './dice-support.mjs';

/** The stage's total on `page` is `total` (or hidden: '?'), and it is inside the viewport, uncovered. */
async function stageShows(page, rollId, total, where) {
  await page.locator(`[data-testid="roll-stage"][data-roll-id="${rollId}"]`).waitFor();
  const shown = page.getByTestId('stage-total');
  assert.equal(await shown.textContent(), total === null ? '?' : String(total), where);
  assert.ok(await inViewport(shown), `${where}: the newest roll's total is on screen without scrolling`);
}

test('the newest roll is in view on both screen sizes; rolls to the DM and chat reach only whom they should',
  { timeout: 240_000 }, async (t) => {
    const b = await startBrowser('dice-stage');
    t.after(() => b.close());

    // Both ways round: the DM at a desk and the player on a phone, then the other way.
    for (const [dmSize, playerSize, label] of [[DESKTOP, PHONE, 'DM at 1280×800, player at 390×844'],
      [PHONE, DESKTOP, 'DM at 390×844, player at 1280×800']]) {
      const tag = dmSize === DESKTOP ? 'A' : 'B';
      let dm;
      let bob;
      let code;
      let rolls = 0;
      await t.test(`${label}: a DM-led room`, async () => {
        dm = await b.openPage(`Dana${tag}`, dmSize);
        await signIn(dm, `Dana-${tag}`);
        code = await createRoom(dm, 'dm-led');
        bob = await b.openPage(`Bob${tag}`, playerSize);
        await signIn(bob, `O'Bob ${tag}`);
        await joinRoom(bob, code);
        await dm.getByTestId('players').locator('li', { hasText: `O'Bob ${tag}` }).waitFor();
        // The die picker is one tab stop (a radio group: arrows move between dice), and the feed is no live region
        // (one status line reads each new roll out once).
        assert.equal(await dm.locator('#dice-buttons [role="radio"]').count(), 7);
        assert.equal(await dm.locator('#dice-buttons [tabindex="0"]').count(), 1);
        await dm.locator('#dice-buttons [tabindex="0"]').focus();
        await dm.keyboard.press('ArrowRight');
        assert.equal(await dm.evaluate(() => document.activeElement.dataset.testid), 'die-d100');
        assert.equal(await dm.getByTestId('formula-input').inputValue(), '1d100');
        await dm.keyboard.press('ArrowLeft');
        assert.equal(await dm.getByTestId('formula-input').inputValue(), '1d20');
        assert.equal(await dm.getByTestId('roll-feed').getAttribute('aria-live'), null);
        await assertAccessible(dm, `${label}: the DM's empty room`);
        await assertAccessible(bob, `${label}: the player's empty room`);
      });

      await t.test(`${label}: own and others' rolls`, async () => {
        const mine = await rollFormula(dm, '2d6+1');
        rolls++;
        const atDm = await shownRoll(dm, mine);
        await stageShows(dm, mine, atDm.total, `${label}: the DM's own roll`);
        await stageShows(bob, mine, atDm.total, `${label}: the DM's roll at the player's`);

        const his = await rollFormula(bob, '1d20+3', { advantage: 'advantage', label: 'Stealth' });
        rolls++;
        const atBob = await shownRoll(bob, his);
        await stageShows(bob, his, atBob.total, `${label}: the player's own roll`);
        await bob.getByTestId('room-announce').filter({ hasText: `You rolled 1d20+3 with advantage for Stealth: ${atBob.total}.` })
          .waitFor();
        await stageShows(dm, his, atBob.total, `${label}: the player's roll at the DM's`);
        for (const page of [dm, bob]) {
          const stage = await page.getByTestId('roll-stage').textContent();
          assert.match(stage, /1d20\+3 with advantage/, 'advantage in words on the stage');
          assert.match(stage, /Stealth/, 'the label on the stage');
        }
        await assertAccessible(bob, `${label}: the player's room after rolls`);
      });

      await t.test(`${label}: the DM's secret roll, then the box is back to everyone`, async () => {
        assert.match(await dm.getByTestId('roll').textContent(), /^\s*Roll\s+2d6\+1\s*$/);
        await dm.getByTestId('roll-mode').selectOption('secret');
        assert.match(await dm.getByTestId('roll').textContent(), /in secret/, 'the button says it');
        const secret = await rollFormula(dm, '1d20');
        rolls++;
        const atDm = await shownRoll(dm, secret);
        await stageShows(dm, secret, atDm.total, `${label}: the DM's secret roll at the DM's`);
        assert.equal(await dm.getByTestId('stage-mode').textContent(), 'secret', 'shown to the DM as secret');
        await stageShows(bob, secret, null, `${label}: the DM's secret roll at the player's`);
        assert.match(await bob.getByTestId('roll-stage').textContent(), /rolled in secret/);
        assert.equal(await dm.getByTestId('roll-mode').inputValue(), 'public', 'the secret box resets');
        assert.doesNotMatch(await dm.getByTestId('roll').textContent(), /secret/);
        await waitForRolls(bob, rolls);
        await assertAccessible(dm, `${label}: the DM's room after a secret roll`);
        await assertAccessible(bob, `${label}: the player's room after the DM's secret roll`);
      });
    }

    let dm;
    let bob;
    let carol;
    let eve;
    let carolFrames;
    let eveFrames;
    await t.test('a roll to the DM: the DM sees it whole, no other player\'s socket ever carries it', async () => {
      dm = b.players.get('DanaA').page;
      bob = b.players.get('BobA').page;
      const code = (await dm.getByTestId('room-code').textContent()).trim();
      carol = await b.openPage('Carol', DESKTOP, async () => {}, null);
      carolFrames = recordFrames(carol);
      await carol.goto(`${BASE_URL}/`);
      await signIn(carol, 'Carol');
      await joinRoom(carol, code);
      eve = await b.openPage('Eve', PHONE, async () => {}, null); // signed in, in no room
      eveFrames = recordFrames(eve);
      await eve.goto(`${BASE_URL}/`);
      await signIn(eve, 'Eve');

      const whisper = await rollFormula(bob, '1d20+7', { mode: 'dm', label: 'Insight check' });
      const atBob = await shownRoll(bob, whisper);
      const atDm = await shownRoll(dm, whisper);
      assert.equal(atDm.total, atBob.total, 'the DM sees it whole');
      assert.match(atDm.text, /Insight check/);
      await stageShows(dm, whisper, atBob.total, 'the roll to the DM at the DM\'s');
      const atCarol = await shownRoll(carol, whisper);
      assert.equal(atCarol.total, null);
      assert.match(atCarol.text, /rolled to the DM/);
      await stageShows(carol, whisper, null, 'the roll to the DM at another player\'s');
      const about = carolFrames.filter((f) => f.includes(whisper));
      assert.ok(about.length >= 1, 'Carol\'s socket was told that Bob rolled');
      for (const f of about) {
        const roll = JSON.parse(f).body.roll;
        assert.deepEqual(Object.keys(roll).filter((k) => ['formula', 'terms', 'total', 'label', 'dice', 'modifier']
          .includes(k)), [], `Carol's frame carries nothing of the roll: ${f}`);
      }
      assert.ok(!carolFrames.some((f) => f.includes('Insight check')), 'the label never reached Carol');
      await assertAccessible(carol, 'a player\'s room with another player\'s roll to the DM');
    });

    await t.test('table talk: members only, shown as text', async () => {
      const text = `<img src=x onerror="window.pwned=1"> <b>hi</b> & bye ${Date.now()}`;
      await bob.locator('[data-testid="chat-input"]:visible').fill(text);
      await bob.locator('[data-testid="chat-send"]:visible').click();
      for (const page of [dm, bob, carol]) {
        const line = page.locator('[data-testid="chat-log"]:visible [data-testid="chat-line"]')
          .filter({ hasText: 'hi</b> & bye' });
        await line.waitFor();
        assert.equal(await line.locator('.chat-text').textContent(), text, 'the text as typed');
        assert.equal(await page.locator('[data-testid="chat-log"] img, [data-testid="chat-log"] b').count(), 0);
        assert.equal(await page.evaluate(() => window.pwned), undefined);
      }
      assert.equal(await bob.locator('[data-testid="chat-input"]:visible').inputValue(), '', 'the box empties once sent');
      await eve.waitForTimeout(500);
      assert.ok(!eveFrames.some((f) => f.includes('hi</b> & bye') || f.includes('hi<\\/b>')),
        'someone outside the room never gets it');
      await assertAccessible(dm, 'the DM\'s room with table talk');
    });

    await t.test('a shared roll\'s page has link-preview tags', async () => {
      const id = await rollFormula(bob, '1d20+5', { advantage: 'advantage', label: 'Perception' });
      const total = (await shownRoll(bob, id)).total;
      let html = '';
      const until = Date.now() + WAIT;
      for (;;) { // the permalink is projected a moment after the roll
        const res = await fetch(`${BASE_URL}/roll/${id}`);
        html = await res.text();
        if (res.status === 200 || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const meta = (p) => new RegExp(`<meta[^>]+property="${p}"[^>]+content="([^"]*)"`).exec(html)?.[1];
      assert.match(meta('og:title') || '', new RegExp(`rolled ${total}`), 'og:title');
      assert.match(meta('og:description') || '', /1d20\+5 with advantage/, 'og:description');
      const page = await b.openPage('Visitor', PHONE, async () => {}, `/roll/${id}`);
      await page.locator('[data-testid="verify-status"][data-state="verified"]').waitFor();
      assert.equal(await page.getByTestId('roll-formula').textContent(), '1d20+5 with advantage');
      assert.equal(await page.getByTestId('open-app').getAttribute('href'), '/');
      await assertAccessible(page, 'a shared roll\'s page');
    });

    await t.test('no script errors or blocked resources on any page', () => b.assertNoProblems());
  });

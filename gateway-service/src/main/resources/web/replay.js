// The replay viewer (/replay.html?session=<id>): loads GET /api/sessions/{id}/replay (docs/protocol.md, Replay)
// and steps through it with the live game's board renderer. Each step carries the full view after its event, so
// any step renders on its own; the event gives the caption.

import { HttpClient, RuneForgeError } from './sdk/index.js';
import { capitalize, isDown, logText, sideIndex, unitById } from './sdk/games/tactics.js';
import { fitBoard, renderBoard } from './games/tactics/board.js';

const $ = (id) => document.getElementById(id);
const ui = {
  error: $('replay-error'),
  scenario: $('replay-scenario'),
  status: $('replay-status'),
  initiative: $('initiative'),
  board: $('board'),
  caption: $('replay-caption'),
  pos: $('replay-pos'),
  first: $('replay-first'),
  prev: $('replay-prev'),
  next: $('replay-next'),
  last: $('replay-last'),
  roster: $('roster'),
  log: $('combat-log'),
};
const replay = { steps: [], at: 0 };
const MAX_PAGES = 100; // a bound on a runaway loop; one page holds up to 5000 steps

const MESSAGES = {
  401: 'This encounter is still being played: only its players can watch it now. If you are one of them, sign in '
    + 'and you come straight back here.',
  403: 'Only the players of an encounter can watch it while it is still open.',
  404: 'There is no encounter with this id.',
};

function fail(text, code, status) {
  ui.error.textContent = text;
  ui.error.dataset.code = code || '';
  if (status === 401) {
    // Sign in, then back to this very link (app.js reads `next`).
    const back = document.createElement('a');
    back.className = 'btn btn-small';
    back.dataset.testid = 'replay-sign-in';
    back.href = `/?next=${encodeURIComponent(location.pathname + location.search)}`;
    back.textContent = 'Sign in';
    ui.error.append(' ', back);
  }
  ui.status.textContent = '';
  for (const b of [ui.first, ui.prev, ui.next, ui.last]) b.disabled = true;
  $('replay-view').hidden = true; // nothing to show but the reason
}

async function load() {
  const session = new URLSearchParams(location.search).get('session');
  if (!session || !/^[\w-]{1,64}$/.test(session)) {
    fail('This replay link has no encounter in it.', 'NO_SESSION');
    return;
  }
  // The server answers a page at a time ({steps, more}); the SDK asks for the next page after the last step's seq.
  let body;
  try {
    body = await new HttpClient().replayAll(session, { maxPages: MAX_PAGES });
  } catch (e) {
    if (!(e instanceof RuneForgeError) || e.status === undefined) {
      fail('Cannot reach Rune Forge. Try again in a moment.', 'OFFLINE');
    } else {
      fail(MESSAGES[e.status] || e.message || `The replay could not be loaded (${e.status}).`, e.code, e.status);
    }
    return;
  }
  const { steps } = body;
  replay.steps = steps.filter((s) => s && s.view && s.event).sort((a, b) => a.seq - b.seq);
  if (body.game && body.game !== 'tactics') {
    fail('This session is not a tactics encounter; there is nothing to replay on a board.', 'NOT_TACTICS');
    return;
  }
  if (replay.steps.length === 0) {
    fail('This encounter has no steps to replay yet.', 'EMPTY');
    return;
  }
  show(0);
}

function show(i) {
  replay.at = Math.max(0, Math.min(replay.steps.length - 1, i));
  const { seq, event, view } = replay.steps[replay.at];
  ui.scenario.textContent = view.scenario ? `· ${view.scenario}` : '';
  renderBoard(ui.board, view, { selected: view.current });
  fitBoard(ui.board, view);
  ui.board.dataset.seq = seq;
  ui.caption.textContent = logText(view, event);
  ui.caption.dataset.type = event.type;
  ui.pos.textContent = `Step ${replay.at + 1} of ${replay.steps.length}`;
  ui.pos.dataset.step = replay.at + 1;
  ui.pos.dataset.steps = replay.steps.length;
  const current = view.current && unitById(view, view.current);
  ui.status.textContent = view.phase === 'over' ? `${capitalize(view.winner || 'nobody')} wins.`
    : view.phase === 'setup' ? 'Setting up.'
      : `Round ${view.round}: ${current ? current.name : '…'}’s turn.`;
  ui.status.dataset.phase = view.phase;
  ui.initiative.replaceChildren(...view.order.map((id) => {
    const u = unitById(view, id);
    const li = document.createElement('li');
    li.dataset.testid = 'initiative-entry';
    li.className = `init side-${u ? sideIndex(view, u.side) : 0}${id === view.current ? ' current' : ''}`
      + `${u && isDown(u) ? ' down' : ''}`;
    li.textContent = u ? u.name : id;
    return li;
  }));
  ui.roster.replaceChildren(...view.units.map((u) => {
    const li = document.createElement('li');
    li.dataset.testid = 'roster-unit';
    li.dataset.unit = u.id;
    li.className = `roster-unit side-${sideIndex(view, u.side)}${isDown(u) ? ' down' : ''}`;
    li.textContent = `${u.name} (${u.side}) ${u.hp}/${u.maxHp} hp`;
    return li;
  }));
  ui.log.replaceChildren(...[...(view.log || [])].reverse().map((e) => {
    const li = document.createElement('li');
    li.dataset.testid = 'log-entry';
    li.dataset.type = e.type;
    li.textContent = logText(view, e);
    return li;
  }));
  ui.first.disabled = ui.prev.disabled = replay.at === 0;
  ui.next.disabled = ui.last.disabled = replay.at === replay.steps.length - 1;
}

ui.first.addEventListener('click', () => show(0));
ui.prev.addEventListener('click', () => show(replay.at - 1));
ui.next.addEventListener('click', () => show(replay.at + 1));
ui.last.addEventListener('click', () => show(replay.steps.length - 1));
document.addEventListener('keydown', (e) => {
  if (!replay.steps.length || e.altKey || e.ctrlKey || e.metaKey) return;
  const to = { ArrowLeft: replay.at - 1, ArrowRight: replay.at + 1, Home: 0, End: replay.steps.length - 1 }[e.key];
  if (to === undefined) return;
  e.preventDefault();
  show(to);
});
load();

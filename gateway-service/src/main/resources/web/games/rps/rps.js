// Rock-paper-scissors in the page (docs/games.md, Web page): the score, three choice buttons, the rounds as they
// are revealed, a rematch. The SDK keeps the match's state (sdk/games/rps.js folds the view and every event); the
// page shell (app.js) owns the connection and tells this module when the session shows, changes and goes; this
// module draws it and sends the match's actions. Names go in as text, never HTML.

import {
  CHOICES, hasChosen, myChoice, opponent, roundText, toWin,
} from '../../sdk/games/rps.js';
import { confirmed } from '../../ui.js';

const ICONS = { rock: '✊', paper: '✋', scissors: '✌' };

const FRIENDLY = {}; // the server's messages say it well enough; rps-error shows "message (CODE)"

const CLOSED = {
  ended: (code) => `The host ended match ${code}.`,
  expired: (code) => `Nobody played for a long time, so match ${code} closed.`,
  empty: (code) => `Everyone left match ${code}, so it closed.`,
};

export default {
  id: 'rps',
  label: 'Rock-paper-scissors',
  hint: 'Two players, secret choices, best of N.',
  markup: new URL('./rps.html', import.meta.url),
  friendly: FRIENDLY,
  closedText: CLOSED,
  replayable: false, // replay.html steps through boards (tactics); rps' replay is the REST one (docs/protocol.md)
  mount,
};

/**
 * @param {{view: Element, options: Element}} root  the match's section; the lobby's options for a new match
 * @param {object} shell  {me(): {player, name}|null, leave(), notice(text, code),
 *                        failed(error), isRefusal(e), settle(error, onRefusal)}
 */
function mount(root, shell) {
  const $ = (id) => root.view.querySelector(`#${id}`);
  const ui = {
    code: $('rps-code'),
    length: $('rps-length'),
    status: $('rps-status'),
    timer: $('rps-timer'),
    me: $('rps-me'),
    myScore: $('rps-my-score'),
    myMark: $('rps-my-mark'),
    opponent: $('rps-opponent'),
    theirScore: $('rps-their-score'),
    theirMark: $('rps-their-mark'),
    result: $('rps-result'),
    winner: $('rps-winner'),
    rematch: $('rps-rematch'),
    choices: $('rps-choices'),
    error: $('rps-error'),
    rounds: $('rps-rounds'),
    leave: $('rps-leave'),
  };
  const state = {
    /** @type {import('../../sdk/client.js').Session|null} */
    session: null,
    /** the match's state (sdk/games/rps.js folds it) */
    view: null,
    enabled: true,
    ticker: 0,
  };
  const myId = () => shell.me() && shell.me().player;

  function show(session, fresh) {
    state.session = session;
    state.view = session.state;
    ui.code.textContent = session.code || state.view.code;
    if (fresh) clearError();
    render();
  }

  function event(session, e) {
    state.session = session;
    state.view = session.state;
    if (e.body.type === 'round_started') clearError();
    render();
  }

  function render() {
    const v = state.view;
    const me = myId();
    const them = opponent(v, me);
    ui.length.textContent = v.bestOf === 1 ? 'One round' : `Best of ${v.bestOf}`;
    ui.me.textContent = 'You';
    ui.opponent.textContent = them ? them.name : 'Waiting…';
    ui.myScore.textContent = String(v.score[me] || 0);
    ui.theirScore.textContent = String(them ? v.score[them.id] || 0 : 0);
    const mine = myChoice(v, me);
    ui.myMark.textContent = mine ? `${ICONS[mine]} ${mine}` : '';
    ui.theirMark.textContent = them && v.phase === 'playing' && hasChosen(v, them.id) ? 'has chosen' : '';
    ui.theirMark.dataset.chosen = String(Boolean(them && hasChosen(v, them.id)));
    ui.status.dataset.phase = v.phase;
    ui.status.dataset.round = String(v.round);
    ui.status.textContent = statusText(v, me, them, mine);
    for (const b of ui.choices.querySelectorAll('button[data-choice]')) {
      b.disabled = !state.enabled || v.phase !== 'playing' || Boolean(mine) || Boolean(v.closed);
      b.setAttribute('aria-pressed', String(b.dataset.choice === mine));
    }
    ui.choices.hidden = v.phase === 'over';
    ui.result.hidden = v.phase !== 'over';
    if (v.phase === 'over') {
      ui.winner.textContent = v.winner === me ? 'You won the match!' : `${nameOf(v, v.winner)} won the match.`;
      ui.winner.dataset.winner = v.winner || '';
    }
    ui.rematch.disabled = !state.enabled;
    ui.rounds.replaceChildren(...v.rounds.map((r) => {
      const li = document.createElement('li');
      li.textContent = roundText(v, r, me);
      li.dataset.winner = r.winner || '';
      return li;
    }));
    tick();
  }

  function statusText(v, me, them, mine) {
    if (v.phase === 'waiting') return `Waiting for an opponent: share code ${v.code}.`;
    if (v.phase === 'over') return `Match over after ${v.rounds.length} round${v.rounds.length === 1 ? '' : 's'}.`;
    const need = `first to ${toWin(v)}`;
    if (!mine) return `Round ${v.round} (${need}): choose.`;
    return `Round ${v.round}: you chose ${mine}. Waiting for ${them ? them.name : 'your opponent'}…`;
  }

  function nameOf(v, id) {
    const p = v.players.find((x) => x.id === id);
    return p ? p.name : 'Your opponent';
  }

  function tick() {
    const v = state.view;
    const ends = v && v.deadline && v.phase === 'playing' && !v.closed ? state.session.localTime(v.deadline) : null;
    ui.timer.hidden = !ends;
    if (ends) ui.timer.textContent = `${Math.max(0, Math.ceil((ends - Date.now()) / 1000))} s left to choose`;
    if (ends && !state.ticker) state.ticker = setInterval(tick, 1000);
    if (!ends && state.ticker) {
      clearInterval(state.ticker);
      state.ticker = 0;
    }
  }

  function send(body) {
    const session = state.session;
    if (!session) return;
    clearError();
    session.act(body).catch((e) => shell.settle(e, (r) => showError(r.code, r.message)));
  }

  function showError(code, message) {
    ui.error.textContent = `${message} (${code})`;
    ui.error.dataset.code = code;
  }

  function clearError() {
    ui.error.textContent = '';
    delete ui.error.dataset.code;
  }

  ui.choices.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-choice]');
    if (b && !b.disabled && CHOICES.includes(b.dataset.choice)) send({ type: 'choose', choice: b.dataset.choice });
  });
  ui.rematch.addEventListener('click', () => send({ type: 'rematch' }));
  ui.leave.addEventListener('click', () => {
    // Leaving mid-match ends it for the other player too (the score starts over): ask first.
    const v = state.view;
    if (v && v.phase === 'playing' && state.enabled && !confirmed(ui.leave, 'Sure? This ends the match')) return;
    shell.leave();
  });

  return {
    show,
    event,
    settings: () => ({
      bestOf: Number(root.options.querySelector('[data-testid="rps-best-of"]').value),
      choiceSeconds: Number(root.options.querySelector('[data-testid="rps-choice-seconds"]').value),
    }),
    setEnabled(on) {
      if (state.enabled === on) return;
      state.enabled = on;
      if (state.view) render();
    },
    focus() {
      const first = ui.choices.querySelector('button:not([disabled])');
      if (first) first.focus({ preventScroll: true });
    },
    clear() {
      state.view = null;
      state.session = null;
      if (state.ticker) clearInterval(state.ticker);
      state.ticker = 0;
      ui.rounds.replaceChildren();
    },
  };
}

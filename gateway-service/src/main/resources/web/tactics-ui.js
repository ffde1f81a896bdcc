// The tactics table in the page (docs/protocol.md, Tactics): board, initiative bar, turn status, roster, combat
// log, host tools. app.js owns the socket and the session; it hands this module each `joined` view and event and
// gives it `act(body)` to send game actions. Everything players typed goes in as text, never HTML.

import { CELL, cellAt, renderBoard } from './tactics-board.js';
import {
  capitalize, controller, fold, isDown, logText, reachable, sideIndex, targets, unitById,
} from './tactics.js';

const $ = (id) => document.getElementById(id);

export function createTactics({ act, me }) {
  const ui = {
    code: $('tactics-code'),
    scenario: $('tactics-scenario'),
    status: $('turn-status'),
    timer: $('turn-timer'),
    initiative: $('initiative'),
    board: $('board'),
    hint: $('board-hint'),
    start: $('start-encounter'),
    endTurn: $('end-turn'),
    skipTurn: $('skip-turn'),
    error: $('tactics-error'),
    roster: $('roster'),
    players: $('tactics-players'),
    log: $('combat-log'),
    result: $('result'),
    winner: $('winner'),
    replay: $('replay-link'),
    hostTools: $('host-tools'),
    addForm: $('add-unit-form'),
  };
  const state = {
    session: null,
    view: null,
    offset: 0, // Date.now() - server time: the turn timer counts on the server's clock
    cursor: { x: 0, y: 0 },
    enabled: true,
    ticker: 0,
  };

  const myId = () => me() && me().player;
  const amHost = () => Boolean(state.view && state.view.host === myId());

  /** The unit I may act with now: the current one, if I command it. */
  function myTurnUnit() {
    const v = state.view;
    if (!v || v.phase !== 'battle' || !v.current || v.closed) return null;
    const u = unitById(v, v.current);
    return u && controller(v, u) === myId() && !isDown(u) ? u : null;
  }

  function marks() {
    const u = myTurnUnit();
    if (!u) return { cursor: state.cursor, selected: state.view && state.view.current };
    return {
      reach: reachable(state.view, u, u.speed - state.view.moved),
      targets: new Set(state.view.attacked ? [] : targets(state.view, u).map((t) => t.id)),
      selected: u.id,
      cursor: state.cursor,
    };
  }

  function show(message, serverTime) {
    state.session = message.session;
    state.view = message.view;
    state.offset = Number.isFinite(serverTime) ? Date.now() - serverTime : 0;
    const u = state.view.current && unitById(state.view, state.view.current);
    if (u) state.cursor = { x: u.x, y: u.y };
    ui.code.textContent = message.code || state.view.code;
    clearError();
    render();
  }

  function event(body) {
    if (!state.view) return;
    state.view = fold(state.view, body);
    if (body.type === 'turn_started') {
      const u = unitById(state.view, body.unit);
      if (u && controller(state.view, u) === myId()) state.cursor = { x: u.x, y: u.y };
      clearError();
    }
    render();
  }

  function render() {
    const v = state.view;
    ui.scenario.textContent = v.scenario;
    renderBoard(ui.board, v, marks());
    ui.board.setAttribute('aria-label', `Board, ${v.width} by ${v.height}. Arrow keys move the cursor; Enter moves `
      + 'there or attacks the enemy there; E ends the turn.');
    renderStatus();
    renderInitiative();
    renderRoster();
    renderPlayers();
    renderLog();
    renderResult();
    renderControls();
  }

  function renderStatus() {
    const v = state.view;
    let text;
    if (v.phase === 'setup') {
      text = amHost() ? 'Setting up: players take units, then you start the encounter.'
        : 'Setting up: take a unit; the host starts the encounter.';
    } else if (v.phase === 'over') {
      text = `${capitalize(v.winner || 'nobody')} wins.`;
    } else {
      const u = unitById(v, v.current);
      const mine = myTurnUnit();
      const who = u ? u.name : '…';
      text = mine ? `Round ${v.round}: your turn with ${who}. ${Math.max(0, mine.speed - v.moved)} movement left`
        + `${v.attacked ? ', attack used' : ', attack ready'}.`
        : `Round ${v.round}: ${who}’s turn (${playerName(u ? controller(v, u) : null)}).`;
    }
    ui.status.textContent = text;
    ui.status.dataset.mine = String(Boolean(myTurnUnit()));
    ui.status.dataset.current = v.current || '';
    ui.status.dataset.phase = v.phase;
    tick();
  }

  function tick() {
    const v = state.view;
    const ends = v && v.turnEndsAt && v.phase === 'battle' && !v.closed ? v.turnEndsAt + state.offset : null;
    ui.timer.hidden = !ends;
    if (ends) {
      const left = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
      ui.timer.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
    }
    if (ends && !state.ticker) state.ticker = setInterval(tick, 1000);
    if (!ends && state.ticker) {
      clearInterval(state.ticker);
      state.ticker = 0;
    }
  }

  function playerName(id) {
    const p = state.view.players.find((x) => x.id === id);
    return p ? (p.id === myId() ? 'you' : p.name) : 'the host';
  }

  function renderInitiative() {
    const v = state.view;
    const items = v.order.map((id) => {
      const u = unitById(v, id);
      const roll = v.initiative.find((i) => i.unit === id);
      const li = document.createElement('li');
      li.dataset.testid = 'initiative-entry';
      li.dataset.unit = id;
      li.className = `init side-${u ? sideIndex(v, u.side) : 0}${id === v.current ? ' current' : ''}`
        + `${u && isDown(u) ? ' down' : ''}`;
      if (id === v.current) li.setAttribute('aria-current', 'step');
      li.textContent = `${u ? u.name : id}${roll ? ` ${roll.total}` : ''}`;
      return li;
    });
    ui.initiative.replaceChildren(...items);
    ui.initiative.hidden = items.length === 0;
  }

  function renderRoster() {
    const v = state.view;
    const mine = myId();
    const items = v.units.map((u) => {
      const li = document.createElement('li');
      li.dataset.testid = 'roster-unit';
      li.dataset.unit = u.id;
      li.className = `roster-unit side-${sideIndex(v, u.side)}${isDown(u) ? ' down' : ''}`;
      const name = document.createElement('span');
      name.className = 'roster-name';
      name.textContent = u.name;
      const meta = document.createElement('span');
      meta.className = 'roster-meta';
      meta.textContent = `${u.side} · ${u.hp}/${u.maxHp} hp · AC ${u.ac} · spd ${u.speed} · +${u.attack} ${u.damage}`
        + ` · rng ${u.range} · ${u.owner ? playerName(u.owner) : 'host'}`;
      li.append(name, meta);
      if (v.phase === 'setup') {
        if (!u.owner && !amHost()) li.append(button('Take', 'claim', { type: 'claim', unit: u.id }));
        if (u.owner === mine) li.append(button('Release', 'release', { type: 'release', unit: u.id }));
      }
      if (amHost() && v.phase !== 'over') {
        li.append(button('Remove', 'remove', { type: 'remove_unit', unit: u.id }, 'btn-ghost'));
      }
      return li;
    });
    ui.roster.replaceChildren(...items);
  }

  function button(text, testid, body, extra = '') {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `btn btn-small ${extra}`;
    b.textContent = text;
    b.dataset.testid = testid;
    b.dataset.tacticsAction = JSON.stringify(body);
    b.disabled = !state.enabled;
    return b;
  }

  function renderPlayers() {
    const v = state.view;
    const items = v.players.map((p) => {
      const li = document.createElement('li');
      li.textContent = `${p.name}${p.host ? ' (host)' : ''}${p.id === myId() ? ' (you)' : ''}`;
      if (amHost() && p.id !== myId()) {
        li.append(' ', button('Remove', 'kick', { type: 'kick', player: p.id }, 'btn-ghost'));
        if (v.phase === 'setup') {
          const free = v.units.find((u) => !u.owner);
          if (free) li.append(' ', button(`Give ${free.name}`, 'assign', { type: 'assign', unit: free.id, player: p.id }));
        }
      }
      return li;
    });
    ui.players.replaceChildren(...items);
  }

  function renderLog() {
    const v = state.view;
    const items = [...v.log].reverse().map((e) => {
      const li = document.createElement('li');
      li.dataset.testid = 'log-entry';
      li.dataset.type = e.type;
      li.textContent = logText(v, e);
      return li;
    });
    ui.log.replaceChildren(...items);
  }

  function renderResult() {
    const v = state.view;
    ui.result.hidden = v.phase !== 'over';
    if (v.phase !== 'over') return;
    const mine = v.units.some((u) => u.side === v.winner && controller(v, u) === myId());
    ui.winner.textContent = `${capitalize(v.winner || 'Nobody')} wins${mine ? ': well fought!' : '.'}`;
    ui.winner.dataset.side = v.winner || '';
    ui.replay.href = `/replay.html?session=${encodeURIComponent(state.session)}`;
  }

  function renderControls() {
    const v = state.view;
    const on = state.enabled;
    ui.start.hidden = !(amHost() && v.phase === 'setup');
    ui.start.disabled = !on;
    ui.hostTools.hidden = !amHost() || v.phase === 'over';
    ui.skipTurn.hidden = !(amHost() && v.phase === 'battle');
    ui.skipTurn.disabled = !on;
    ui.endTurn.hidden = v.phase !== 'battle';
    ui.endTurn.disabled = !on || !myTurnUnit();
    const u = myTurnUnit();
    ui.hint.textContent = u ? 'Tap a highlighted cell to move, a ringed enemy to attack. Keys: arrows, Enter, E.'
      : v.phase === 'battle' ? 'Waiting for the other side.' : '';
  }

  function send(body) {
    clearError();
    act(body);
  }

  function showError(code, message) {
    ui.error.textContent = `${message} (${code})`;
    ui.error.dataset.code = code;
  }

  function clearError() {
    ui.error.textContent = '';
    delete ui.error.dataset.code;
  }

  /** Move to the cell or attack the enemy on it (what a tap or Enter means there). */
  function actAt(x, y) {
    const u = myTurnUnit();
    if (!u) return;
    state.cursor = { x, y };
    const enemy = state.view.units.find((t) => t.x === x && t.y === y && !isDown(t) && t.side !== u.side);
    if (enemy) {
      send({ type: 'attack', unit: u.id, target: enemy.id });
    } else if (!(u.x === x && u.y === y)) {
      send({ type: 'move', unit: u.id, x, y });
    }
    renderBoard(ui.board, state.view, marks());
  }

  ui.board.addEventListener('click', (e) => {
    const c = cellAt(ui.board, e);
    if (c && state.enabled) actAt(c.x, c.y);
  });
  ui.board.addEventListener('keydown', (e) => {
    if (!state.view) return;
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[e.key]) {
      const [dx, dy] = moves[e.key];
      state.cursor = {
        x: Math.max(0, Math.min(state.view.width - 1, state.cursor.x + dx)),
        y: Math.max(0, Math.min(state.view.height - 1, state.cursor.y + dy)),
      };
      renderBoard(ui.board, state.view, marks());
      e.preventDefault();
    } else if ((e.key === 'Enter' || e.key === ' ') && state.enabled) {
      actAt(state.cursor.x, state.cursor.y);
      e.preventDefault();
    } else if ((e.key === 'e' || e.key === 'E') && state.enabled && myTurnUnit()) {
      send({ type: 'end_turn' });
      e.preventDefault();
    }
  });
  for (const container of [ui.roster, ui.players]) {
    container.addEventListener('click', (e) => {
      const b = e.target.closest('[data-tactics-action]');
      if (b && !b.disabled) send(JSON.parse(b.dataset.tacticsAction));
    });
  }
  ui.start.addEventListener('click', () => send({ type: 'start' }));
  ui.endTurn.addEventListener('click', () => send({ type: 'end_turn' }));
  ui.skipTurn.addEventListener('click', () => send({ type: 'skip_turn' }));
  ui.addForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(ui.addForm);
    const num = (k) => (f.get(k) === '' ? null : Number(f.get(k)));
    send({
      type: 'add_unit',
      unit: {
        name: String(f.get('name') || '').trim(), side: String(f.get('side') || '').trim(), x: num('x'), y: num('y'),
        hp: num('hp'), ac: num('ac'), speed: num('speed'), attack: num('attack'),
        damage: String(f.get('damage') || '').trim(), range: num('range'), init: 0,
      },
    });
  });

  return {
    show,
    event,
    isHost: amHost,
    error: showError,
    get session() {
      return state.session;
    },
    setEnabled(on) {
      if (state.enabled === on) return;
      state.enabled = on;
      if (state.view) render();
    },
    focus() {
      ui.board.focus({ preventScroll: true });
    },
    clear() {
      state.view = null;
      state.session = null;
      if (state.ticker) clearInterval(state.ticker);
      state.ticker = 0;
      ui.board.replaceChildren();
      ui.log.replaceChildren();
    },
  };
}

export { CELL };

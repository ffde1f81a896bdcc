// The tactics table in the page (docs/protocol.md, Tactics): board, initiative bar, turn status, roster, combat
// log, host tools. The SDK keeps the encounter's state (sdk/games/tactics.js folds the view and every event); the
// page shell (app.js) owns the connection and tells this module when the session shows, changes and goes; this
// module draws it and sends the encounter's actions. Everything players typed goes in as text, never HTML.

import {
  capitalize, controller, decisiveText, isDown, logText, myTurnUnit as turnUnitOf, reachable, sideIndex, targets,
  unitById,
} from '../../sdk/games/tactics.js';
import { chatItem, confirmed } from '../../ui.js';
import { cellAt, fitBoard, renderBoard } from './board.js';

/** A touch screen's "tap", a mouse's "click": hints say what this device does. */
const coarse = () => window.matchMedia('(pointer: coarse)').matches;

const FRIENDLY = {}; // the server's messages say it well enough; tactics-error shows "message (CODE)"

const CLOSED = {
  ended: (code) => `The host ended encounter ${code}.`,
  host_left: (code) => `The host left encounter ${code}, so it closed.`,
  expired: (code) => `Nobody acted for a long time, so encounter ${code} closed.`,
};

/** A new encounter's settings from the lobby's options; null (after saying why) when they are not usable. */
function settingsFrom(options, shell) {
  const select = options.querySelector('[data-testid="scenario-select"]');
  const json = options.querySelector('[data-testid="scenario-json"]');
  let scenario = select.value;
  if (scenario === 'custom') {
    try {
      scenario = JSON.parse(json.value);
    } catch (e) {
      shell.notice(`The scenario is not valid JSON: ${e.message}`, 'INVALID_SCENARIO');
      json.focus();
      return null;
    }
  }
  return { scenario, turnSeconds: Number(options.querySelector('[data-testid="turn-seconds"]').value) };
}

export default {
  id: 'tactics',
  label: 'Tactics',
  hint: 'Grid combat, turn by turn.',
  markup: new URL('./tactics.html', import.meta.url),
  friendly: FRIENDLY,
  closedText: CLOSED,
  replayable: true,
  mount,
};

/**
 * @param {{view: Element, options: Element}} root  the table's section; the lobby's options for a new encounter
 * @param {object} shell  {me(): {player, name}|null, leave(), notice(text, code),
 *                        failed(error), settle(error, onRefusal)}
 */
function mount(root, shell) {
  const $ = (id) => root.view.querySelector(`#${id}`);
  const me = () => shell.me();
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
    decisive: $('decisive'),
    rematch: $('rematch'),
    replay: $('replay-link'),
    hostTools: $('host-tools'),
    addForm: $('add-unit-form'),
    leave: $('tactics-leave'),
    chatLog: $('tactics-chat-log'),
    chatForm: $('tactics-chat-form'),
    chatInput: $('tactics-chat-input'),
    chatSend: $('tactics-chat-send'),
  };
  const state = {
    /** @type {import('../../sdk/client.js').Session|null} */
    session: null,
    /** the session's state (sdk/games/tactics.js folds it) */
    view: null,
    cursor: { x: 0, y: 0 },
    enabled: true,
    ticker: 0,
  };

  const myId = () => me() && me().player;
  const amHost = () => Boolean(state.view && state.view.host === myId());

  /** The unit I may act with now: the current one, if I command it. */
  const myTurnUnit = () => turnUnitOf(state.view, myId());

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

  /** The encounter shows: a new one (`fresh`), or the same one again after a reconnect or a fresh view. */
  function show(session, fresh) {
    state.session = session;
    state.view = session.state;
    const u = state.view.current && unitById(state.view, state.view.current);
    if (u && (fresh || controller(state.view, u) === myId())) state.cursor = { x: u.x, y: u.y };
    ui.code.textContent = session.code || state.view.code;
    if (fresh) clearError();
    render();
  }

  /** One event, already folded into the session's state. */
  function event(session, e) {
    const body = e.body;
    state.session = session;
    state.view = session.state;
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
    fitBoard(ui.board, v);
    ui.board.setAttribute('aria-label', `Board, ${v.width} by ${v.height}. Arrow keys move the cursor; Enter moves `
      + 'there or attacks the enemy there; E ends the turn.');
    renderStatus();
    renderInitiative();
    renderRoster();
    renderPlayers();
    renderLog();
    renderChat();
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
    const ends = v && v.turnEndsAt && v.phase === 'battle' && !v.closed ? state.session.localTime(v.turnEndsAt) : null;
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
      meta.textContent = unitWords(u);
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

  /** A unit's numbers in words: "Blue side, 12 of 16 hit points, armour class 10, moves 4, …". */
  function unitWords(u) {
    const who = u.owner ? playerName(u.owner) : amHost() ? 'you (the host)' : 'the host';
    const reach = u.range > 1 ? `ranged, reach ${u.range}` : 'melee';
    return `${capitalize(u.side)} side · ${isDown(u) ? 'down' : `${u.hp} of ${u.maxHp} hit points`} · `
      + `armour class ${u.ac} · moves ${u.speed} · attack +${u.attack}, damage ${u.damage} (${reach}) · played by ${who}`;
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

  function renderChat() {
    const lines = state.view.chat || [];
    ui.chatLog.replaceChildren(...lines.map((c) => chatItem(c, myId())));
    ui.chatLog.scrollTop = ui.chatLog.scrollHeight;
    ui.chatSend.disabled = !state.enabled;
  }

  function renderResult() {
    const v = state.view;
    ui.result.hidden = v.phase !== 'over';
    if (v.phase !== 'over') return;
    const won = v.units.some((u) => u.side === v.winner && controller(v, u) === myId());
    const lost = !won && v.units.some((u) => u.side !== v.winner && controller(v, u) === myId());
    ui.winner.textContent = `${capitalize(v.winner || 'Nobody')} wins${won ? ': you won, well fought!'
      : lost ? ': you lost this one.' : '.'}`;
    ui.winner.dataset.side = v.winner || '';
    ui.winner.dataset.outcome = won ? 'won' : lost ? 'lost' : '';
    const decisive = decisiveText(v, v.result);
    ui.decisive.hidden = !decisive;
    ui.decisive.textContent = decisive ? `Decided by ${decisive}.` : '';
    ui.rematch.disabled = !state.enabled;
    ui.rematch.hidden = Boolean(v.closed);
    ui.replay.href = `/replay.html?session=${encodeURIComponent(state.session.id)}`;
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
    ui.hint.textContent = u ? (coarse() ? 'Tap a highlighted cell to move there, a ringed enemy to attack it.'
      : 'Click a highlighted cell to move there, a ringed enemy to attack it; or use the arrow keys, Enter and E '
        + 'on the board.')
      : v.phase === 'battle' ? 'Waiting for the other side.' : '';
  }

  function send(body) {
    const session = state.session;
    if (!session) return;
    clearError();
    session.act(body).catch((e) => shell.settle(e, (r) => showError(r.code, r.message)));
  }

  function showError(code, message) {
    ui.error.textContent = message;
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
  ui.rematch.addEventListener('click', () => send({ type: 'rematch' }));
  ui.chatForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = ui.chatInput.value.trim();
    if (!text) return;
    send({ type: 'chat', text });
    ui.chatInput.value = '';
  });
  window.addEventListener('resize', () => {
    if (state.view) fitBoard(ui.board, state.view);
  });
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

  ui.leave.addEventListener('click', () => {
    // The host leaving closes the encounter for everyone: ask first.
    if (amHost() && state.enabled && !confirmed(ui.leave, 'Sure? This ends the encounter')) return;
    shell.leave();
  });
  const scenario = root.options.querySelector('[data-testid="scenario-select"]');
  const json = root.options.querySelector('#scenario-json-field');
  const customJson = () => {
    json.hidden = scenario.value !== 'custom';
  };
  scenario.addEventListener('change', customJson);
  customJson();

  return {
    show,
    event,
    settings: () => settingsFrom(root.options, shell),
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
      ui.chatLog.replaceChildren();
    },
  };
}

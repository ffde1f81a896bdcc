// Rune Forge browser client: sign-in -> lobby -> dice room (docs/protocol.md).
// State lives in `app`; the server's `joined` view replaces it wholesale, `event`s advance it by seq.

import { currentPlayer, signInAsGuest, signOut, SignInError } from './auth.js';
import { Connection, State, socketUrl } from './connection.js';
import { COUNT, MODIFIER, SIDES, formula, intIn, playerItem, rollItem } from './dice.js';

const FEED_LIMIT = 500; // the server keeps the last 500 rolls in a view; so does the page
const ANSWER_TIMEOUT_MS = 10_000;
const REJOIN_TRIES = 5;
const CODE_IN_LINK = /^#([A-Za-z]{2,12}-\d{4})$/;

const $ = (id) => document.getElementById(id);
const ui = {
  conn: document.querySelector('[data-testid="conn-status"]'),
  connText: document.querySelector('.conn-text'),
  retry: $('retry'),
  me: document.querySelector('[data-testid="me"]'),
  signOut: $('sign-out'),
  error: document.querySelector('[data-testid="error"]'),
  views: {
    loading: $('view-loading'),
    signin: $('view-signin'),
    lobby: $('view-lobby'),
    room: $('view-room'),
  },
  signinForm: $('signin-form'),
  nameInput: $('name-input'),
  nameError: $('name-error'),
  createRoom: $('create-room'),
  joinForm: $('join-form'),
  joinCode: $('join-code'),
  joinButton: $('join-room'),
  roomCode: $('room-code'),
  copyCode: $('copy-code'),
  copyStatus: $('copy-status'),
  leave: $('leave'),
  players: document.querySelector('[data-testid="players"]'),
  playerCount: $('player-count'),
  diceButtons: $('dice-buttons'),
  rollForm: $('roll-form'),
  count: $('dice-count'),
  modifier: $('dice-modifier'),
  rollError: $('roll-error'),
  rollButton: $('roll'),
  formula: $('formula'),
  feed: $('roll-feed'),
  feedEmpty: $('feed-empty'),
};

const app = {
  me: null, // {player, name}
  conn: null,
  view: 'loading',
  /** {session, code, game, seq, admin, players: Map<id, player>, rolls: Map<id, roll>, synced} */
  room: null,
  /** Messages sent and not yet answered, by id: {kind: create|join|rejoin|roll|leave, code?, timer?} */
  pending: new Map(),
  rejoinTries: 0,
  sides: 20,
  feedNodes: new Map(), // roll id -> <li>, so a roll is never shown twice
  wantCode: codeFromLink(),
};

// ---------------------------------------------------------------- views

function showView(name) {
  if (app.view === name) return;
  app.view = name;
  for (const [key, section] of Object.entries(ui.views)) section.hidden = key !== name;
  updateControls(); // before focusing: a disabled button cannot take focus
  const focusTarget = { signin: ui.nameInput, lobby: $('lobby-title'), room: ui.rollButton }[name];
  if (focusTarget) focusTarget.focus({ preventScroll: true });
}

const CONN_TEXT = {
  [State.CONNECTING]: 'Connecting…',
  [State.CONNECTED]: 'Connected',
  [State.RECONNECTING]: 'Reconnecting…',
  [State.OFFLINE]: 'Offline',
};

function renderConn(state, detail = {}) {
  ui.conn.hidden = !app.me;
  ui.conn.dataset.state = state;
  if (ui.connText.textContent !== CONN_TEXT[state]) ui.connText.textContent = CONN_TEXT[state]; // a live region
  if (detail.rttMs !== undefined) ui.conn.title = `Connected, ${detail.rttMs} ms round trip`;
  else if (detail.retryInMs !== undefined) ui.conn.title = `Next try in ${Math.ceil(detail.retryInMs / 1000)} s`;
  else ui.conn.title = CONN_TEXT[state];
  ui.retry.hidden = !app.conn || state === State.CONNECTED || detail.retryInMs === undefined;
}

function renderMe() {
  ui.me.hidden = !app.me;
  ui.signOut.hidden = !app.me;
  ui.me.textContent = app.me ? app.me.name : '';
}

function updateControls() {
  const connected = Boolean(app.conn && app.conn.connected);
  const waitingForRoom = [...app.pending.values()].some((p) => p.kind === 'create' || p.kind === 'join');
  ui.createRoom.disabled = !connected || waitingForRoom;
  ui.joinButton.disabled = !connected || waitingForRoom;
  ui.createRoom.setAttribute('aria-busy', String(waitingForRoom));
  const inSync = connected && Boolean(app.room && app.room.synced);
  ui.rollButton.disabled = !inSync;
  ui.views.room.classList.toggle('stale', Boolean(app.room) && !inSync);
}

// ---------------------------------------------------------------- errors

const FRIENDLY = {
  ROOM_NOT_FOUND: (m, p) => (p && p.code ? `No room with code ${p.code}. Check the code and try again.`
    : 'That room does not exist (any more).'),
  ALREADY_IN_SESSION: () => 'You are already in a room. Leave it first.',
  NOT_IN_ROOM: () => 'You are not in that room any more.',
  RATE_LIMITED: () => 'Easy there: too many rolls at once. Wait a moment.',
  UNAVAILABLE: () => 'The game service is unavailable right now. Try again in a moment.',
  INTERNAL: () => 'Something went wrong on the server. Try again.',
  UNKNOWN_GAME: () => 'This server does not offer that game.',
};

/** A server `error`: a sentence for people, and the code for bug reports (and tests). */
function showError(code, message, pending) {
  const friendly = FRIENDLY[code];
  const tag = document.createElement('code');
  tag.className = 'alert-code';
  tag.textContent = code;
  showNotice(friendly ? friendly(message, pending) : message || 'Something went wrong.', code, tag);
}

/** Something this page noticed by itself (not connected, no answer, no code typed). */
function showNotice(text, code, ...extra) {
  const body = document.createElement('p');
  body.className = 'alert-text';
  body.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'alert-close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', clearError);
  ui.error.dataset.code = code;
  ui.error.replaceChildren(body, ...extra, close);
}

function clearError() {
  delete ui.error.dataset.code;
  ui.error.replaceChildren();
}

// ---------------------------------------------------------------- sending

function send(kind, message, extra = {}) {
  if (!app.conn || !app.conn.send(message)) {
    showNotice('Not connected to the table right now. Wait for “Connected” and try again.', 'OFFLINE');
    return false;
  }
  if (message.id) {
    const entry = { kind, ...extra };
    if (kind === 'create' || kind === 'join') {
      entry.timer = setTimeout(() => {
        if (!app.pending.has(message.id)) return;
        settle(message.id);
        showNotice('The server did not answer. Try again.', 'TIMEOUT');
      }, ANSWER_TIMEOUT_MS);
    }
    app.pending.set(message.id, entry);
  }
  updateControls();
  return true;
}

function settle(id) {
  const entry = app.pending.get(id);
  if (!entry) return undefined;
  clearTimeout(entry.timer);
  app.pending.delete(id);
  updateControls();
  return entry;
}

function settleKinds(...kinds) {
  for (const [id, entry] of app.pending) if (kinds.includes(entry.kind)) settle(id);
}

function join(code, kind = 'join') {
  return send(kind, { type: 'join', id: crypto.randomUUID(), code }, { code });
}

// ---------------------------------------------------------------- server messages

function onReady(welcome) {
  if (app.me && welcome.player && welcome.player !== app.me.player) dropRoom(); // signed in as someone else
  app.me = { player: welcome.player, name: welcome.name };
  renderMe();
  for (const id of [...app.pending.keys()]) settle(id); // answers to the old socket's messages are gone with it
  if (app.room) {
    app.rejoinTries = 0;
    join(app.room.code, 'rejoin');
  } else if (app.wantCode) {
    join(app.wantCode);
    app.wantCode = null;
  }
  updateControls();
}

function onMessage(m) {
  switch (m.type) {
    case 'joined': return onJoined(m);
    case 'event': return onEvent(m);
    case 'accepted': return void settle(m.id);
    case 'error': return onError(m);
    case 'left': return onLeft(m);
    default: return undefined; // a newer server may say more; nothing here depends on it
  }
}

function onJoined(m) {
  const view = m.view || {};
  const same = app.room && app.room.session === m.session;
  if (same && m.seq < app.room.seq) return; // an older view than the one shown
  settleKinds('create', 'join', 'rejoin');
  app.room = {
    session: m.session,
    code: m.code || view.code,
    game: m.game,
    seq: m.seq,
    admin: view.creator,
    players: new Map((view.players || []).map((p) => [p.id, p])),
    rolls: new Map((view.rolls || []).map((r) => [r.id, r])),
    synced: true,
  };
  if (!same) {
    clearError();
    ui.joinCode.value = '';
  }
  history.replaceState(null, '', `#${app.room.code}`);
  renderRoom(!same);
  showView('room');
  updateControls();
}

function onEvent(m) {
  const room = app.room;
  if (!room || m.session !== room.session || typeof m.seq !== 'number') return;
  if (m.seq <= room.seq) return; // seen already (a replay after a reconnect)
  if (m.seq > room.seq + 1 && room.synced) join(room.code, 'rejoin'); // a gap: fetch the whole view again
  room.seq = m.seq;
  const body = m.body || {};
  switch (body.type) {
    case 'player_joined':
      if (body.player && body.player.id) {
        room.players.set(body.player.id, body.player);
        renderPlayers();
      }
      break;
    case 'player_left':
    case 'player_kicked':
      room.players.delete(body.player);
      renderPlayers();
      break;
    case 'roll_revealed':
      if (body.detail && body.detail.id) {
        room.rolls.set(body.detail.id, body.detail);
        const node = app.feedNodes.get(body.detail.id);
        if (node) {
          const fresh = rollItem(body.detail, app.me && app.me.player);
          node.replaceWith(fresh);
          app.feedNodes.set(body.detail.id, fresh);
        }
      }
      break;
    case 'rolled':
      if (body.roll && body.roll.id && !room.rolls.has(body.roll.id)) {
        room.rolls.set(body.roll.id, body.roll);
        addRoll(body.roll);
      }
      break;
    default:
      break; // an event type this client does not know
  }
}

function onError(m) {
  const pending = m.ref ? settle(m.ref) : undefined;
  if (pending && pending.kind === 'rejoin') {
    if (m.code === 'ROOM_NOT_FOUND' || ++app.rejoinTries >= REJOIN_TRIES) {
      const code = app.room && app.room.code;
      dropRoom();
      showView('lobby');
      showError(m.code, m.message, { code });
    } else {
      setTimeout(() => app.room && app.conn.connected && join(app.room.code, 'rejoin'), 1000 * app.rejoinTries);
      showError(m.code, m.message, pending);
    }
    return;
  }
  if (pending && pending.kind === 'join' && m.code === 'ROOM_NOT_FOUND' && CODE_IN_LINK.test(location.hash)) {
    history.replaceState(null, '', location.pathname + location.search);
  }
  if (m.code === 'NOT_IN_ROOM' && app.room && pending && pending.kind === 'roll') {
    app.room.synced = false; // the server lost us (e.g. restarted): get back in
    join(app.room.code, 'rejoin');
  }
  showError(m.code, m.message, pending);
}

function onLeft(m) {
  if (!app.room || m.session !== app.room.session) return; // we already left locally
  const code = app.room.code;
  dropRoom();
  showView('lobby');
  showNotice(`You are no longer in room ${code}.`, 'LEFT');
}

function onConnState(state, detail) {
  renderConn(state, detail);
  if (state !== State.CONNECTED && app.room) app.room.synced = false;
  if (state !== State.CONNECTED) settleKinds('create', 'join', 'rejoin', 'roll', 'leave');
  updateControls();
}

// ---------------------------------------------------------------- room rendering

function dropRoom() {
  app.room = null;
  app.feedNodes.clear();
  ui.feed.replaceChildren();
  ui.players.replaceChildren();
  if (CODE_IN_LINK.test(location.hash)) history.replaceState(null, '', location.pathname + location.search);
}

function renderRoom(isNewRoom) {
  ui.roomCode.textContent = app.room.code;
  ui.copyStatus.textContent = '';
  renderPlayers();
  renderFeed(isNewRoom);
}

function renderPlayers() {
  const room = app.room;
  const items = [...room.players.values()].map((p) => playerItem(p, { me: app.me && app.me.player, admin: room.admin }));
  ui.players.replaceChildren(...items);
  ui.playerCount.textContent = `(${room.players.size})`;
}

/**
 * Brings the feed in line with app.room.rolls, newest first, moving no entry that is already in place:
 * the feed is a live region, and an entry removed and re-added would be read out again.
 */
function renderFeed(isNewRoom) {
  const feed = ui.feed;
  if (isNewRoom) {
    // A whole history arriving at once is not news; let it in silently.
    feed.setAttribute('aria-live', 'off');
    setTimeout(() => feed.setAttribute('aria-live', 'polite'), 300);
  }
  const rolls = [...app.room.rolls.values()].slice(-FEED_LIMIT);
  const keep = new Set(rolls.map((r) => r.id));
  for (const [id, node] of app.feedNodes) {
    if (!keep.has(id)) {
      node.remove();
      app.feedNodes.delete(id);
    }
  }
  let older = null; // each roll goes right before the one rolled before it
  for (const roll of rolls) {
    let node = app.feedNodes.get(roll.id);
    if (!node) {
      node = rollItem(roll, app.me && app.me.player);
      if (!isNewRoom) node.classList.add('fresh');
      app.feedNodes.set(roll.id, node);
    }
    if (node.parentNode !== feed || node.nextSibling !== older) feed.insertBefore(node, older);
    older = node;
  }
  ui.feedEmpty.hidden = app.feedNodes.size > 0;
}

function addRoll(roll) {
  const node = rollItem(roll, app.me && app.me.player);
  node.classList.add('fresh');
  app.feedNodes.set(roll.id, node);
  ui.feed.prepend(node);
  while (app.feedNodes.size > FEED_LIMIT) {
    const oldest = ui.feed.lastElementChild;
    app.feedNodes.delete(oldest.dataset.rollId);
    app.room.rolls.delete(oldest.dataset.rollId);
    oldest.remove();
  }
  ui.feedEmpty.hidden = true;
}

// ---------------------------------------------------------------- the roller

function buildDiceButtons() {
  for (const sides of SIDES) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `die-btn d${sides}`;
    b.dataset.testid = `die-d${sides}`;
    b.dataset.sides = String(sides);
    const shape = document.createElement('span');
    shape.className = 'die-shape';
    shape.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'die-label';
    label.textContent = `d${sides}`;
    b.append(shape, label);
    b.addEventListener('click', () => selectDie(sides));
    ui.diceButtons.append(b);
  }
  selectDie(app.sides);
}

function selectDie(sides) {
  app.sides = sides;
  for (const b of ui.diceButtons.children) b.setAttribute('aria-pressed', String(Number(b.dataset.sides) === sides));
  updateFormula();
}

function readRoller() {
  const count = intIn(ui.count.value, COUNT);
  const modifier = intIn(ui.modifier.value, MODIFIER);
  return { count, modifier };
}

function updateFormula() {
  const { count, modifier } = readRoller();
  ui.formula.textContent = formula(count ?? '?', app.sides, modifier ?? 0);
  ui.count.setAttribute('aria-invalid', String(count === null));
  ui.modifier.setAttribute('aria-invalid', String(modifier === null));
  if (count !== null && modifier !== null) ui.rollError.textContent = '';
}

function roll(event) {
  event.preventDefault();
  if (!app.room) return;
  const { count, modifier } = readRoller();
  if (count === null) {
    ui.rollError.textContent = `Roll ${COUNT.min} to ${COUNT.max} dice.`;
    ui.count.focus();
    return;
  }
  if (modifier === null) {
    ui.rollError.textContent = `The modifier is a whole number from ${MODIFIER.min} to +${MODIFIER.max}.`;
    ui.modifier.focus();
    return;
  }
  ui.rollError.textContent = '';
  const id = crypto.randomUUID();
  send('roll', {
    type: 'action',
    id,
    session: app.room.session,
    body: { type: 'roll', formula: formula(count, app.sides, modifier) },
  });
}

// ---------------------------------------------------------------- lobby and room actions

function createRoom() {
  clearError();
  send('create', { type: 'create', id: crypto.randomUUID(), game: 'dice', settings: {} });
}

/** Accepts `wolf 1234`, ` Wolf-1234 ` and the like; the server decides whether the room exists. */
function normalizeCode(text) {
  const compact = text.trim().toUpperCase().replace(/\s+/g, '');
  const m = /^([A-Z]+)-?(\d+)$/.exec(compact);
  return m ? `${m[1]}-${m[2]}` : compact;
}

function joinRoom(event) {
  event.preventDefault();
  clearError();
  const code = normalizeCode(ui.joinCode.value);
  if (!code) {
    showNotice('Enter the room code first.', 'NO_CODE');
    ui.joinCode.focus();
    return;
  }
  ui.joinCode.value = code;
  join(code);
}

function leaveRoom() {
  const room = app.room;
  if (!room) return;
  if (app.conn && app.conn.connected) send('leave', { type: 'leave', id: crypto.randomUUID(), session: room.session });
  dropRoom(); // the server's `left` for this session is then ignored
  clearError();
  showView('lobby');
}

async function copyCode() {
  const code = app.room && app.room.code;
  if (!code) return;
  try {
    await navigator.clipboard.writeText(code);
    ui.copyStatus.textContent = 'Copied. Send it to your friends.';
  } catch {
    const range = document.createRange();
    range.selectNodeContents(ui.roomCode);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    ui.copyStatus.textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
  }
}

// ---------------------------------------------------------------- sign-in

function startPlaying(player) {
  app.me = player;
  renderMe();
  showView('lobby');
  app.conn = new Connection(socketUrl(location), {
    onState: onConnState,
    onReady,
    onMessage,
    stillSignedIn: async () => (await currentPlayer()) !== null,
    onSignedOut: () => {
      const name = app.me && app.me.name;
      stopPlaying();
      ui.nameInput.value = name || '';
      ui.nameError.textContent = 'Your sign-in has expired. Enter your name to continue.';
    },
  });
  app.conn.start();
}

function stopPlaying() {
  if (app.conn) app.conn.stop();
  app.conn = null;
  app.me = null;
  for (const id of [...app.pending.keys()]) settle(id);
  dropRoom();
  renderMe();
  renderConn(State.OFFLINE);
  clearError();
  showView('signin');
}

async function submitName(event) {
  event.preventDefault();
  const name = ui.nameInput.value.trim();
  ui.nameError.textContent = '';
  ui.nameInput.removeAttribute('aria-invalid');
  if (!name) {
    ui.nameError.textContent = 'Enter a name.';
    ui.nameInput.setAttribute('aria-invalid', 'true');
    ui.nameInput.focus();
    return;
  }
  const button = ui.signinForm.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const player = await signInAsGuest(name);
    startPlaying({ player: player.player, name: player.name });
  } catch (e) {
    ui.nameError.textContent = e instanceof SignInError ? e.message : 'Cannot reach the server. Try again.';
    ui.nameInput.setAttribute('aria-invalid', 'true');
    ui.nameInput.focus();
  } finally {
    button.disabled = false;
  }
}

async function signOutClicked() {
  if (app.room && app.conn && app.conn.connected) {
    app.conn.send({ type: 'leave', id: crypto.randomUUID(), session: app.room.session });
  }
  stopPlaying();
  try {
    await signOut();
  } catch {
    // the cookie stays until it expires; nothing else to do from here
  }
}

function codeFromLink() {
  const m = CODE_IN_LINK.exec(location.hash);
  return m ? m[1].toUpperCase() : null;
}

/** Asks who we are, retrying with backoff: a server blip must not turn a signed-in player into a stranger. */
async function boot(delayMs = 500) {
  try {
    const player = await currentPlayer();
    if (player) startPlaying({ player: player.player, name: player.name });
    else showView('signin');
  } catch {
    ui.views.loading.querySelector('p').textContent = 'Cannot reach Rune Forge. Retrying…';
    setTimeout(() => boot(Math.min(delayMs * 2, 10_000)), delayMs);
  }
}

// ---------------------------------------------------------------- wiring

buildDiceButtons();
ui.signinForm.addEventListener('submit', submitName);
ui.createRoom.addEventListener('click', createRoom);
ui.joinForm.addEventListener('submit', joinRoom);
ui.rollForm.addEventListener('submit', roll);
ui.count.addEventListener('input', updateFormula);
ui.modifier.addEventListener('input', updateFormula);
ui.leave.addEventListener('click', leaveRoom);
ui.copyCode.addEventListener('click', copyCode);
ui.signOut.addEventListener('click', signOutClicked);
ui.retry.addEventListener('click', () => app.conn && app.conn.retryNow());
window.addEventListener('hashchange', () => {
  const code = codeFromLink();
  if (code && !app.room && app.conn && app.conn.connected) join(code);
});
updateControls();
boot();

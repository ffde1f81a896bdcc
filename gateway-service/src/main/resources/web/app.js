// Rune Forge browser client: sign-in -> lobby -> dice room (docs/protocol.md).
// State lives in `app`; the server's `joined` view replaces it wholesale, `event`s advance it by seq.

import { currentPlayer, signInAsGuest, signOut, SignInError } from './auth.js';
import { Connection, State, socketUrl } from './connection.js';
import {
  COUNT, DC, MODIFIER, SIDES, changeItem, clock, formula, intIn, isPublic, isSingleD20, playerItem, rollItem,
} from './dice.js';
import { createTactics } from './tactics-ui.js';
import { VoicePanel } from './voice.js';

const FEED_LIMIT = 1000; // rolls kept on the page, paged history included (the server keeps 500)
const PAGE = 50; // rolls per "load older" page
const ANSWER_TIMEOUT_MS = 10_000;
const REJOIN_TRIES = 5;
const CONFIRM_MS = 4000; // how long a "Sure?" button waits for its second click
// The DM's grace is 60 s by default (configurable): bound what an odd view can make the banner show.
const GRACE_MAX_MS = 5 * 60_000;
const CODE_IN_LINK = /^#([A-Za-z]{2,12}-\d{4})$/;
// Events that are activity: the server restarts the room's expiry clock on each of them.
const ACTIVITY = new Set(['player_joined', 'player_left', 'player_kicked', 'rolled', 'roll_revealed', 'dc_set',
  'dc_cleared', 'mode_changed']);

const $ = (id) => document.getElementById(id);
const TACTICS = 'tactics';
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
    tactics: $('view-tactics'),
    closed: $('view-closed'),
  },
  signinForm: $('signin-form'),
  nameInput: $('name-input'),
  nameError: $('name-error'),
  createForm: $('create-form'),
  createRoom: $('create-room'),
  joinForm: $('join-form'),
  joinCode: $('join-code'),
  joinButton: $('join-room'),
  roomCode: $('room-code'),
  copyCode: $('copy-code'),
  copyStatus: $('copy-status'),
  roomMode: $('room-mode'),
  roomDc: $('room-dc'),
  promote: $('promote'),
  leave: $('leave'),
  expiryBanner: $('expiry-banner'),
  expiryText: $('expiry-text'),
  graceBanner: $('grace-banner'),
  graceText: $('grace-text'),
  dmCard: $('dm-card'),
  dcForm: $('dc-form'),
  dcInput: $('dc-input'),
  setDc: $('set-dc'),
  clearDc: $('clear-dc'),
  dcError: $('dc-error'),
  players: document.querySelector('[data-testid="players"]'),
  playerCount: $('player-count'),
  diceButtons: $('dice-buttons'),
  rollForm: $('roll-form'),
  count: $('dice-count'),
  modifier: $('dice-modifier'),
  formulaInput: $('formula-input'),
  advChoice: $('adv-choice'),
  hiddenRow: $('hidden-row'),
  hiddenToggle: $('hidden-toggle'),
  rollError: $('roll-error'),
  rollButton: $('roll'),
  formula: $('formula'),
  feed: $('roll-feed'),
  feedEmpty: $('feed-empty'),
  latest: $('roll-latest'),
  loadOlder: $('load-older'),
  closedTitle: $('closed-title'),
  closedReason: $('closed-reason'),
  closedReplay: $('closed-replay'),
  tacticsOptions: $('tactics-options'),
  diceModeChoice: $('dice-mode-choice'),
  scenarioSelect: $('scenario-select'),
  scenarioJsonField: $('scenario-json-field'),
  scenarioJson: $('scenario-json'),
  turnSeconds: $('turn-seconds'),
  tacticsLeave: $('tactics-leave'),
  backToLobby: $('back-to-lobby'),
};

const app = {
  me: null, // {player, name}
  conn: null,
  view: 'loading',
  /**
   * {session, code, game, seq, creator, mode, dm, dc, players: Map<id, player>, rolls: Map<id, roll> (oldest
   * first), changes: [{kind, by, at}], hasOlder, synced, expiring: {until}|null, grace: {player, until}|null}
   */
  room: null,
  /** The room just closed under us, while its closed screen shows: {session, code}. */
  closed: null,
  /** Messages sent and not yet answered, by id: {kind: create|join|rejoin|roll|dc|kick|promote|reveal|history|leave} */
  pending: new Map(),
  rejoinTries: 0,
  sides: 20,
  feedNodes: new Map(), // feed key (roll id, or change:<at>:<kind>) -> <li>, so nothing is shown twice
  names: new Map(), // player id -> last known name, for history lines about players who have left
  ticker: 0,
  wantCode: codeFromLink(),
};

const tactics = createTactics({ act: (body) => act('tactics', body), me: () => app.me });

// ---------------------------------------------------------------- views

// Voice is optional: the panel hides itself when the server has none, and its failures never reach the game.
let voice = null;
try {
  voice = new VoicePanel($('voice-panel'));
} catch (e) {
  console.warn('voice panel unavailable', e);
}
const voiceEnter = (session) => { try { if (voice) voice.enter(session); } catch (e) { console.warn(e); } };
const voiceExit = () => { try { if (voice) voice.exit(); } catch (e) { console.warn(e); } };

function showView(name) {
  if (app.view === name) return;
  app.view = name;
  for (const [key, section] of Object.entries(ui.views)) section.hidden = key !== name;
  updateControls(); // before focusing: a disabled button cannot take focus
  const focusTarget = { signin: ui.nameInput, lobby: $('lobby-title'), room: ui.rollButton, closed: ui.closedTitle }[name];
  if (focusTarget) focusTarget.focus({ preventScroll: true });
  if (name === 'tactics') tactics.focus();
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

const myId = () => app.me && app.me.player;
const amDm = () => Boolean(app.room && app.room.dm && app.room.dm === myId());
const amAdmin = () => Boolean(app.room && app.room.creator === myId());

function updateControls() {
  const connected = Boolean(app.conn && app.conn.connected);
  const waitingForRoom = [...app.pending.values()].some((p) => p.kind === 'create' || p.kind === 'join');
  ui.createRoom.disabled = !connected || waitingForRoom;
  ui.joinButton.disabled = !connected || waitingForRoom;
  ui.createRoom.setAttribute('aria-busy', String(waitingForRoom));
  const inSync = connected && Boolean(app.room && app.room.synced);
  for (const b of [ui.rollButton, ui.setDc, ui.clearDc, ui.promote, ui.loadOlder]) b.disabled = !inSync;
  for (const b of ui.views.room.querySelectorAll('[data-action]')) b.disabled = !inSync;
  if (inSync) ui.loadOlder.disabled = [...app.pending.values()].some((p) => p.kind === 'history');
  ui.views.room.classList.toggle('stale', Boolean(app.room) && !inSync);
  ui.views.tactics.classList.toggle('stale', Boolean(app.room) && !inSync);
  if (tactics) tactics.setEnabled(inSync);
}

// ---------------------------------------------------------------- errors

const FRIENDLY = {
  ROOM_NOT_FOUND: (m, p) => (p && p.code ? `No room with code ${p.code}. Check the code and try again.`
    : 'That room does not exist (any more).'),
  ROOM_FULL: () => 'That room is full. Ask its admin to make space, or start your own.',
  KICKED: () => 'You were removed from that room and cannot join it again.',
  INVALID_NAME: () => 'That name cannot be used: 1–20 letters, digits or spaces.',
  ALREADY_IN_SESSION: () => 'You are already in a room. Leave it first.',
  NOT_IN_ROOM: () => 'You are not in that room any more.',
  INVALID_DICE_FORMAT: (m) => `That is not a formula we can roll${m ? `: ${m}` : ''}. Try e.g. 2d6+3 or 4d6kh3.`,
  HIDDEN_NOT_ALLOWED: () => 'Only the DM of a DM-led room can roll in secret.',
  RATE_LIMIT: (m, p) => (p && p.kind === 'create'
    ? `You opened a lot of rooms in a short time${m ? ` (${m})` : ''}.`
    : `Easy there: too many rolls at once${m ? ` (${m})` : ''}.`),
  RATE_LIMITED: () => 'Easy there: too many messages at once. Wait a moment.',
  NOT_DM: () => 'Only the DM can do that.',
  ROLL_NOT_FOUND: () => 'That roll is no longer in the room’s history.',
  ROLL_NOT_HIDDEN: () => 'That roll is already public.',
  INVALID_DC: () => `A DC is a whole number from ${DC.min} to ${DC.max}.`,
  NOT_ROOM_CREATOR: () => 'Only the player who created the room can make it DM-led.',
  PLAYER_NOT_FOUND: () => 'That player is no longer in the room.',
  ALREADY_DM_LED: () => 'This room is already DM-led.',
  NOT_ADMIN: () => 'Only the room’s admin can remove players.',
  CANNOT_KICK_SELF: () => 'You cannot remove yourself. Use “Leave room” instead.',
  UNAVAILABLE: () => 'The game service is unavailable right now. Try again in a moment.',
  INTERNAL: () => 'Something went wrong on the server. Try again.',
  UNKNOWN_GAME: () => 'This server does not offer that game.',
};

function friendly(code, message, pending) {
  const f = FRIENDLY[code];
  return f ? f(message, pending) : message || 'Something went wrong.';
}

/** A server `error`: a sentence for people, and the code for bug reports (and tests). */
function showError(code, message, pending) {
  const tag = document.createElement('code');
  tag.className = 'alert-code';
  tag.textContent = code;
  showNotice(friendly(code, message, pending), code, tag);
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

/** An error next to the field it is about (the roller, the DC), with its code for tests and bug reports. */
function fieldError(node, code, text) {
  node.textContent = text;
  if (code) node.dataset.code = code;
  else delete node.dataset.code;
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

/** A game action in the current room. */
function act(kind, body, extra = {}) {
  if (!app.room) return false;
  return send(kind, { type: 'action', id: crypto.randomUUID(), session: app.room.session, body }, extra);
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
    case 'accepted': return onAccepted(m);
    case 'result': return onResult(m);
    case 'error': return onError(m);
    case 'left': return onLeft(m);
    case 'presence': return onPresenceList(m);
    default: return undefined; // a newer server may say more; nothing here depends on it
  }
}

function onAccepted(m) {
  const pending = settle(m.id);
  if (!pending) return;
  if (pending.kind === 'dc') ui.dcInput.value = '';
}

function onJoined(m) {
  const view = m.view || {};
  const previous = app.room;
  const same = previous && previous.session === m.session;
  if (same && m.seq < previous.seq) return; // an older view than the one shown
  settleKinds('create', 'join', 'rejoin');
  app.closed = null;
  if (view.closed) {
    dropRoom();
    showClosed(m.code || view.code, view.closed);
    return;
  }
  if (m.game === TACTICS) {
    onTacticsJoined(m, same);
    return;
  }
  const rolls = Array.isArray(view.rolls) ? view.rolls : [];
  const room = {
    session: m.session,
    code: m.code || view.code,
    game: m.game,
    seq: m.seq,
    creator: view.creator,
    mode: view.mode || 'open',
    dm: view.dm || null,
    dc: Number.isFinite(view.dc) ? view.dc : null,
    players: new Map((view.players || []).map((p) => [p.id, p])),
    rolls: new Map(rolls.map((r) => [r.id, r])),
    changes: Array.isArray(view.changes) ? view.changes : [],
    hasOlder: (view.historySize || 0) > rolls.length,
    synced: true,
    expiring: null,
    grace: null,
  };
  if (same) keepOlderRolls(previous, room);
  app.room = room;
  for (const p of room.players.values()) app.names.set(p.id, p.name);
  // The view's deadlines are on the server's clock: read them against the time the view was made, so a browser
  // whose clock is off still counts down the right number of seconds.
  const serverNow = Number.isFinite(m.serverTime) ? m.serverTime : Date.now();
  const left = Number(view.expiresAt) - serverNow;
  // Joined inside the warning window (say, after a reconnect): the warning event itself is in the past.
  if (Number.isFinite(left) && left > 0 && left <= 180_000) room.expiring = { until: Date.now() + left };
  // The DM is offline and the room closes unless they are back in time (the view says until when).
  const away = Number(view.dmAwayUntil) - serverNow;
  if (room.dm && Number.isFinite(away)) room.grace = { player: room.dm, until: Date.now() + Math.min(Math.max(away, 0), GRACE_MAX_MS) };
  if (!same) {
    clearError();
    ui.joinCode.value = '';
    fieldError(ui.rollError, null, '');
    fieldError(ui.dcError, null, '');
    ui.hiddenToggle.checked = false;
  }
  history.replaceState(null, '', `#${room.code}`);
  renderRoom(!same);
  showView('room');
  updateControls();
  voiceEnter(room.session);
}

/** A tactics session: the room keeps what the session machinery needs; the table itself is tactics-ui's. */
function onTacticsJoined(m, same) {
  app.room = {
    session: m.session, code: m.code || m.view.code, game: m.game, seq: m.seq, synced: true,
    players: new Map(), rolls: new Map(), changes: [], expiring: null, grace: null,
  };
  if (!same) {
    clearError();
    ui.joinCode.value = '';
  }
  tactics.show(m, m.serverTime);
  history.replaceState(null, '', `#${app.room.code}`);
  showView('tactics');
  updateControls();
}

/**
 * A fresh view after a reconnect holds the newest rolls only. Older ones this page paged in stay, if the two
 * overlap (so nothing in between is missing); otherwise the "load older" button brings them back.
 */
function keepOlderRolls(previous, room) {
  const fresh = [...room.rolls.keys()];
  if (fresh.length === 0 || !previous.rolls.has(fresh[0])) return;
  const older = [];
  for (const [id, roll] of previous.rolls) {
    if (id === fresh[0]) break;
    older.push([id, roll]);
  }
  if (older.length === 0) return;
  room.rolls = new Map([...older, ...room.rolls]);
  room.hasOlder = previous.hasOlder;
}

function onEvent(m) {
  const room = app.room;
  const body = m.body || {};
  if (!room && app.closed && m.session === app.closed.session
    && (body.type === 'room_closed' || body.type === 'encounter_closed')) {
    showClosed(app.closed.code, body.reason); // the `left` came first; now we know why
    return;
  }
  if (!room || m.session !== room.session || typeof m.seq !== 'number') return;
  if (m.seq <= room.seq) return; // seen already (a replay after a reconnect)
  if (m.seq > room.seq + 1 && room.synced) {
    room.synced = false; // a gap: fetch the whole view again (once), and roll nothing into a stale room meanwhile
    join(room.code, 'rejoin');
    updateControls();
  }
  room.seq = m.seq;
  if (room.game === TACTICS) {
    if (body.type === 'encounter_closed') {
      const code = room.code;
      dropRoom();
      app.closed = { session: m.session, code, game: TACTICS };
      showClosed(code, body.reason);
    } else {
      tactics.event(body);
    }
    return;
  }
  if (ACTIVITY.has(body.type) && room.expiring) {
    room.expiring = null;
    renderBanners();
  }
  switch (body.type) {
    case 'player_joined':
      if (body.player && body.player.id) {
        room.players.set(body.player.id, { connected: true, ...body.player });
        app.names.set(body.player.id, body.player.name);
        renderPlayers();
      }
      break;
    case 'player_left':
    case 'player_kicked':
      room.players.delete(body.player);
      renderPlayers();
      break;
    case 'presence':
      onPresence(body);
      break;
    case 'rolled':
      if (body.roll && body.roll.id && !room.rolls.has(body.roll.id)) {
        room.rolls.set(body.roll.id, body.roll);
        trimRolls();
        renderFeed(false);
      }
      break;
    case 'roll_revealed': {
      const detail = body.detail && body.detail.id ? body.detail : null;
      const id = detail ? detail.id : body.roll;
      const known = room.rolls.get(id);
      if (known) {
        room.rolls.set(id, detail || { ...known, revealedAt: body.at });
        rerenderRoll(id);
      }
      break;
    }
    case 'dc_set':
      room.dc = body.dc;
      renderRoomMeta();
      break;
    case 'dc_cleared':
      room.dc = null;
      renderRoomMeta();
      break;
    case 'mode_changed':
      room.mode = body.mode;
      room.dm = body.mode === 'dm-led' ? room.creator : null;
      room.changes = [...room.changes, { kind: body.mode, by: body.by, at: body.at }];
      renderRoomMeta();
      renderPlayers();
      renderFeed(false);
      for (const id of room.rolls.keys()) rerenderRoll(id); // reveal buttons follow the DM
      break;
    case 'room_expiring': {
      const seconds = Number(body.seconds);
      if (Number.isFinite(seconds)) room.expiring = { until: Date.now() + seconds * 1000 };
      renderBanners();
      break;
    }
    case 'room_closed': {
      const code = room.code;
      dropRoom();
      app.closed = { session: m.session, code };
      showClosed(code, body.reason);
      break;
    }
    default:
      break; // an event type this client does not know
  }
}

/** `presence {player, connected, at, graceUntil?}`: a player's connection came or went. */
function onPresence(body) {
  const room = app.room;
  const player = room.players.get(body.player);
  if (player) {
    room.players.set(body.player, { ...player, connected: Boolean(body.connected) });
    renderPlayers();
  }
  if (body.connected) {
    if (room.grace && room.grace.player === body.player) room.grace = null;
  } else if (Number.isFinite(body.graceUntil)) {
    // The DM's clock and ours differ; count down from when we heard of it, bounded by the grace itself.
    const left = Math.max(0, body.graceUntil - (Number.isFinite(body.at) ? body.at : Date.now()));
    room.grace = { player: body.player, until: Date.now() + left };
  }
  renderBanners();
}

/** The older form: `presence {session, online: [ids]}`. */
function onPresenceList(m) {
  const room = app.room;
  if (!room || m.session !== room.session || !Array.isArray(m.online)) return;
  const online = new Set(m.online);
  for (const [id, p] of room.players) room.players.set(id, { ...p, connected: online.has(id) });
  renderPlayers();
}

function onResult(m) {
  const pending = settle(m.ref);
  const room = app.room;
  if (!pending || pending.kind !== 'history' || !room || m.session !== room.session) return;
  const body = m.body || {};
  const older = (Array.isArray(body.rolls) ? body.rolls : []).filter((r) => r && r.id && !room.rolls.has(r.id));
  room.rolls = new Map([...older.map((r) => [r.id, r]), ...room.rolls]);
  room.hasOlder = Boolean(body.more);
  trimRolls();
  renderFeed(false, true);
}

function onError(m) {
  const pending = m.ref ? settle(m.ref) : undefined;
  if (pending && pending.kind === 'rejoin') {
    const code = app.room && app.room.code;
    if (m.code === 'ROOM_NOT_FOUND') {
      dropRoom();
      showClosed(code, 'gone');
    } else if (m.code === 'KICKED' || ++app.rejoinTries >= REJOIN_TRIES) {
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
  if (m.code === 'NOT_IN_ROOM' && app.room && pending && pending.kind !== 'join') {
    app.room.synced = false; // the server lost us (e.g. restarted): get back in
    join(app.room.code, 'rejoin');
  }
  if (pending && pending.kind === 'tactics' && m.code !== 'NOT_IN_ROOM') {
    tactics.error(m.code, m.message);
    return;
  }
  if (pending && pending.kind === 'roll' && m.code !== 'NOT_IN_ROOM') {
    fieldError(ui.rollError, m.code, friendly(m.code, m.message, pending));
    ui.formulaInput.setAttribute('aria-invalid', String(m.code === 'INVALID_DICE_FORMAT'));
    return;
  }
  if (pending && pending.kind === 'reveal' && app.room) rerenderRoll(pending.roll); // its button back
  if (pending && pending.kind === 'dc' && m.code !== 'NOT_IN_ROOM') {
    fieldError(ui.dcError, m.code, friendly(m.code, m.message, pending));
    return;
  }
  showError(m.code, m.message, pending);
}

function onLeft(m) {
  if (!app.room || m.session !== app.room.session) return; // we already left locally
  const { code, game } = app.room;
  dropRoom();
  if (m.reason === 'closed') {
    app.closed = { session: m.session, code, game };
    showClosed(code, null);
    return;
  }
  showView('lobby');
  if (m.reason === 'removed') showNotice(`The room’s admin removed you from room ${code}.`, 'REMOVED');
  else showNotice(`You are no longer in room ${code}.`, 'LEFT');
}

function onConnState(state, detail) {
  renderConn(state, detail);
  if (state !== State.CONNECTED && app.room) app.room.synced = false;
  if (state !== State.CONNECTED) {
    settleKinds('create', 'join', 'rejoin', 'roll', 'dc', 'kick', 'promote', 'reveal', 'history', 'leave', 'tactics');
  }
  updateControls();
}

// ---------------------------------------------------------------- closing

const CLOSED_TEXT = {
  expired: (code) => `Nobody rolled for a while, so room ${code} closed.`,
  dm_left: (code) => `The DM left room ${code} (or lost their connection and did not come back in time), so the room closed.`,
  gone: (code) => `Room ${code} closed while you were away.`,
  ended: (code) => `The host ended encounter ${code}.`,
  host_left: (code) => `The host left encounter ${code}, so it closed.`,
};

function showClosed(code, reason) {
  const text = CLOSED_TEXT[reason];
  ui.closedReason.textContent = text ? text(code || '') : `Room ${code || ''} has closed.`;
  ui.closedReason.dataset.reason = reason || '';
  const replayable = app.closed && app.closed.game === TACTICS;
  ui.closedReplay.hidden = !replayable;
  if (replayable) ui.closedReplay.href = `/replay.html?session=${encodeURIComponent(app.closed.session)}`;
  clearError();
  showView('closed');
}

// ---------------------------------------------------------------- room rendering

function dropRoom() {
  voiceExit();
  app.room = null;
  tactics.clear();
  app.feedNodes.clear();
  ui.feed.replaceChildren();
  ui.players.replaceChildren();
  renderBanners();
  renderLatest();
  if (CODE_IN_LINK.test(location.hash)) history.replaceState(null, '', location.pathname + location.search);
}

function renderRoom(isNewRoom) {
  ui.roomCode.textContent = app.room.code;
  ui.copyStatus.textContent = '';
  if (isNewRoom) {
    app.feedNodes.clear();
    ui.feed.replaceChildren();
  }
  renderRoomMeta();
  renderPlayers();
  renderFeed(isNewRoom);
  renderBanners();
}

/** Mode, DC and the controls that depend on who I am in this room. */
function renderRoomMeta() {
  const room = app.room;
  ui.roomMode.textContent = room.mode === 'dm-led' ? 'DM-led' : 'Open';
  ui.roomMode.dataset.mode = room.mode;
  ui.roomDc.hidden = room.dc === null;
  ui.roomDc.textContent = room.dc === null ? '' : `DC ${room.dc}`;
  ui.roomDc.title = room.dc === null ? '' : `Rolls are checked against DC ${room.dc}`;
  ui.promote.hidden = !(amAdmin() && room.mode === 'open');
  ui.dmCard.hidden = !amDm();
  ui.hiddenRow.hidden = !amDm();
  if (!amDm()) ui.hiddenToggle.checked = false;
  updateFormula();
}

function renderPlayers() {
  const room = app.room;
  const who = { me: myId(), admin: room.creator, dm: room.dm, canKick: amAdmin() };
  ui.players.replaceChildren(...[...room.players.values()].map((p) => playerItem(p, who)));
  ui.playerCount.textContent = `(${room.players.size})`;
  updateControls();
}

function nameOf(id) {
  return (app.room && app.room.players.get(id)?.name) || app.names.get(id) || 'The room’s creator';
}

function changeKey(change) {
  return `change:${change.at}:${change.kind}`;
}

/** Rolls (oldest first) with the history's other lines (mode changes) slotted in by time. */
function feedEntries() {
  const room = app.room;
  const changes = [...room.changes].sort((a, b) => a.at - b.at);
  const out = [];
  let c = 0;
  for (const roll of room.rolls.values()) {
    while (c < changes.length && changes[c].at <= roll.at) out.push({ key: changeKey(changes[c]), change: changes[c++] });
    out.push({ key: roll.id, roll });
  }
  while (c < changes.length) out.push({ key: changeKey(changes[c]), change: changes[c++] });
  return out;
}

function makeNode(entry) {
  if (entry.roll) return rollItem(entry.roll, { me: myId(), dm: amDm() });
  const node = changeItem(entry.change, nameOf(entry.change.by));
  node.dataset.key = entry.key;
  return node;
}

/**
 * Brings the feed in line with the room's rolls and changes, newest first, moving no entry that is already in
 * place: the feed is a live region, and an entry removed and re-added would be read out again.
 */
function renderFeed(isNewRoom, olderOnly = false) {
  const feed = ui.feed;
  if (isNewRoom || olderOnly) {
    // A whole history arriving at once is not news; let it in silently.
    feed.setAttribute('aria-live', 'off');
    setTimeout(() => feed.setAttribute('aria-live', 'polite'), 300);
  }
  const entries = feedEntries();
  const keep = new Set(entries.map((e) => e.key));
  for (const [key, node] of app.feedNodes) {
    if (!keep.has(key)) {
      node.remove();
      app.feedNodes.delete(key);
    }
  }
  let older = null; // each entry goes right before the one that came before it
  for (const entry of entries) {
    let node = app.feedNodes.get(entry.key);
    if (!node) {
      node = makeNode(entry);
      if (!isNewRoom && !olderOnly) node.classList.add('fresh');
      app.feedNodes.set(entry.key, node);
    }
    if (node.parentNode !== feed || node.nextSibling !== older) feed.insertBefore(node, older);
    older = node;
  }
  ui.feedEmpty.hidden = app.feedNodes.size > 0;
  ui.loadOlder.hidden = !app.room.hasOlder;
  renderLatest();
  updateControls();
}

/**
 * The newest roll in one line under the Roll button. On a phone the feed is a long way down the page; this
 * saves the scroll after every roll. (Not a live region: the feed already announces rolls.)
 */
function renderLatest() {
  const rolls = app.room ? [...app.room.rolls.values()] : [];
  const roll = rolls[rolls.length - 1];
  ui.latest.hidden = !roll;
  if (!roll) return;
  ui.latest.dataset.rollId = roll.id;
  ui.latest.textContent = Number.isFinite(roll.total)
    ? `Latest: ${roll.name} rolled ${roll.formula} = ${roll.total}`
    : `Latest: ${roll.name} rolled in secret`;
}

function rerenderRoll(id) {
  const node = app.feedNodes.get(id);
  const roll = app.room.rolls.get(id);
  if (!node || !roll) return;
  const fresh = makeNode({ key: id, roll });
  node.replaceWith(fresh);
  app.feedNodes.set(id, fresh);
  renderLatest();
  updateControls();
}

function trimRolls() {
  const room = app.room;
  if (room.rolls.size <= FEED_LIMIT) return;
  const ids = [...room.rolls.keys()];
  for (const id of ids.slice(0, ids.length - FEED_LIMIT)) room.rolls.delete(id);
  room.hasOlder = true;
}

// ---------------------------------------------------------------- banners

function renderBanners() {
  const room = app.room;
  const now = Date.now();
  const expiring = room && room.expiring;
  ui.expiryBanner.hidden = !expiring;
  if (expiring) {
    const text = `Quiet table: this room closes in ${clock(expiring.until - now)} unless someone rolls.`;
    if (ui.expiryText.textContent !== text) ui.expiryText.textContent = text;
  }
  const grace = room && room.grace;
  ui.graceBanner.hidden = !grace;
  if (grace) {
    const text = `${nameOf(grace.player)} (the DM) lost their connection. The room closes in `
      + `${clock(grace.until - now)} unless they come back.`;
    if (ui.graceText.textContent !== text) ui.graceText.textContent = text;
  }
  const ticking = Boolean(expiring || grace);
  if (ticking && !app.ticker) app.ticker = setInterval(renderBanners, 1000);
  if (!ticking && app.ticker) {
    clearInterval(app.ticker);
    app.ticker = 0;
  }
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
  pickerChanged();
}

/** The picker writes its formula into the formula field; typing there overrides it. */
function pickerChanged() {
  const count = intIn(ui.count.value, COUNT);
  const modifier = intIn(ui.modifier.value, MODIFIER);
  ui.count.setAttribute('aria-invalid', String(count === null));
  ui.modifier.setAttribute('aria-invalid', String(modifier === null));
  if (count === null) {
    fieldError(ui.rollError, 'COUNT', `Roll ${COUNT.min} to ${COUNT.max} dice.`);
  } else if (modifier === null) {
    fieldError(ui.rollError, 'MODIFIER', `The modifier is a whole number from ${MODIFIER.min} to +${MODIFIER.max}.`);
  } else {
    ui.formulaInput.value = formula(count, app.sides, modifier);
    fieldError(ui.rollError, null, '');
  }
  updateFormula();
}

function typedFormula() {
  fieldError(ui.rollError, null, '');
  for (const b of ui.diceButtons.children) b.setAttribute('aria-pressed', 'false');
  updateFormula();
}

function updateFormula() {
  const text = ui.formulaInput.value.trim();
  ui.formula.textContent = text || '…';
  ui.formulaInput.removeAttribute('aria-invalid');
  const d20 = isSingleD20(text);
  ui.advChoice.disabled = !d20;
  ui.advChoice.classList.toggle('off', !d20);
  const adv = advantage();
  if (d20 && adv !== 'none') ui.formula.textContent = `${text} ${adv === 'advantage' ? 'adv' : 'dis'}`;
}

function advantage() {
  const checked = ui.advChoice.querySelector('input[name="adv"]:checked');
  return checked ? checked.value : 'none';
}

function roll(event) {
  event.preventDefault();
  if (!app.room) return;
  const text = ui.formulaInput.value.trim();
  if (!text) {
    fieldError(ui.rollError, 'NO_FORMULA', 'Pick a die or type a formula, e.g. 2d6+3.');
    ui.formulaInput.focus();
    return;
  }
  fieldError(ui.rollError, null, '');
  const body = { type: 'roll', formula: text };
  const adv = advantage();
  if (adv !== 'none' && isSingleD20(text)) body.advantage = adv;
  if (amDm() && ui.hiddenToggle.checked) body.hidden = true;
  act('roll', body);
}

// ---------------------------------------------------------------- DM and admin controls

function setDc(event) {
  event.preventDefault();
  const dc = intIn(ui.dcInput.value, DC);
  if (dc === null) {
    fieldError(ui.dcError, 'INVALID_DC', friendly('INVALID_DC'));
    ui.dcInput.setAttribute('aria-invalid', 'true');
    ui.dcInput.focus();
    return;
  }
  ui.dcInput.removeAttribute('aria-invalid');
  fieldError(ui.dcError, null, '');
  act('dc', { type: 'set_dc', dc });
}

function clearDc() {
  fieldError(ui.dcError, null, '');
  act('dc', { type: 'clear_dc' });
}

/**
 * Lasting actions (kicking, promoting) take two clicks: the first turns the button into "Sure?" for a few
 * seconds. No window.confirm: it blocks the page, and the socket with it.
 */
function confirmed(button, question) {
  const reset = () => {
    clearTimeout(Number(button.dataset.timer));
    button.textContent = button.dataset.label;
    delete button.dataset.confirm;
    delete button.dataset.label;
    delete button.dataset.timer;
  };
  if (button.dataset.confirm === 'yes') {
    reset();
    return true;
  }
  button.dataset.label = button.textContent;
  button.dataset.confirm = 'yes';
  button.textContent = question;
  button.dataset.timer = String(setTimeout(reset, CONFIRM_MS));
  return false;
}

function promote() {
  if (!confirmed(ui.promote, 'Sure? You become the DM')) return;
  act('promote', { type: 'promote' });
  ui.promote.hidden = true;
}

function onPlayersClick(event) {
  const b = event.target.closest('button[data-action="kick"]');
  if (!b) return;
  const li = b.closest('[data-player-id]');
  if (!li || !confirmed(b, 'Sure? Remove')) return;
  act('kick', { type: 'kick', player: li.dataset.playerId });
}

function onFeedClick(event) {
  const b = event.target.closest('button[data-action]');
  if (!b) return;
  const li = b.closest('[data-roll-id]');
  const roll = li && app.room && app.room.rolls.get(li.dataset.rollId);
  if (!roll) return;
  if (b.dataset.action === 'reveal') {
    b.disabled = true;
    act('reveal', { type: 'reveal', roll: roll.id }, { roll: roll.id });
  } else if (b.dataset.action === 'copy-link' && isPublic(roll)) {
    copyLink(b, `${location.origin}/roll/${encodeURIComponent(roll.id)}`);
  }
}

function loadOlder() {
  const room = app.room;
  if (!room || !room.hasOlder) return;
  const oldest = room.rolls.keys().next().value;
  const body = { type: 'history', limit: PAGE };
  if (oldest) body.before = oldest;
  act('history', body);
}

// ---------------------------------------------------------------- clipboard

/** navigator.clipboard where allowed (secure contexts); else the old copy command on a hidden field. */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const field = document.createElement('textarea');
    field.value = text;
    field.readOnly = true;
    field.className = 'copy-buffer';
    document.body.append(field);
    field.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    field.remove();
    return ok;
  }
}

async function copyLink(button, link) {
  button.dataset.link = link;
  const ok = await copyText(link);
  button.dataset.copied = String(ok);
  button.textContent = ok ? 'Link copied' : 'Copy failed';
  if (!ok) {
    // Last resort: show the link selected, for the player to copy by hand.
    const shown = document.createElement('input');
    shown.type = 'text';
    shown.readOnly = true;
    shown.className = 'link-shown';
    shown.value = link;
    shown.setAttribute('aria-label', 'Link to this roll');
    button.after(shown);
    shown.select();
  }
  setTimeout(() => {
    button.textContent = 'Copy link';
  }, 2500);
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

// ---------------------------------------------------------------- lobby and room actions

function createRoom(event) {
  event.preventDefault();
  clearError();
  const game = ui.createForm.querySelector('input[name="game"]:checked');
  if (game && game.value === TACTICS) {
    createEncounter();
    return;
  }
  const mode = ui.createForm.querySelector('input[name="mode"]:checked');
  send('create', {
    type: 'create', id: crypto.randomUUID(), game: 'dice', settings: { mode: mode ? mode.value : 'open' },
  });
}

function createEncounter() {
  let scenario = ui.scenarioSelect.value;
  if (scenario === 'custom') {
    try {
      scenario = JSON.parse(ui.scenarioJson.value);
    } catch (e) {
      showNotice(`The scenario is not valid JSON: ${e.message}`, 'INVALID_SCENARIO');
      ui.scenarioJson.focus();
      return;
    }
  }
  send('create', {
    type: 'create', id: crypto.randomUUID(), game: TACTICS,
    settings: { scenario, turnSeconds: Number(ui.turnSeconds.value) },
  });
}

function gameChoiceChanged() {
  const game = ui.createForm.querySelector('input[name="game"]:checked');
  const isTactics = Boolean(game && game.value === TACTICS);
  ui.tacticsOptions.hidden = !isTactics;
  ui.diceModeChoice.hidden = isTactics;
  ui.scenarioJsonField.hidden = !isTactics || ui.scenarioSelect.value !== 'custom';
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
  // The DM leaving a DM-led room closes it for everyone: ask first.
  if (amDm() && app.conn && app.conn.connected && !confirmed(ui.leave, 'Sure? This closes the room')) return;
  if (room.game === TACTICS && tactics.isHost() && app.conn && app.conn.connected
    && !confirmed(ui.tacticsLeave, 'Sure? This ends the encounter')) return;
  if (app.conn && app.conn.connected) send('leave', { type: 'leave', id: crypto.randomUUID(), session: room.session });
  dropRoom(); // the server's `left` for this session is then ignored
  clearError();
  showView('lobby');
}

function backToLobby() {
  app.closed = null;
  showView('lobby');
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
ui.createForm.addEventListener('submit', createRoom);
ui.joinForm.addEventListener('submit', joinRoom);
ui.rollForm.addEventListener('submit', roll);
ui.count.addEventListener('input', pickerChanged);
ui.modifier.addEventListener('input', pickerChanged);
ui.formulaInput.addEventListener('input', typedFormula);
ui.advChoice.addEventListener('change', updateFormula);
ui.dcForm.addEventListener('submit', setDc);
ui.clearDc.addEventListener('click', clearDc);
ui.promote.addEventListener('click', promote);
ui.players.addEventListener('click', onPlayersClick);
ui.feed.addEventListener('click', onFeedClick);
ui.loadOlder.addEventListener('click', loadOlder);
ui.backToLobby.addEventListener('click', backToLobby);
ui.leave.addEventListener('click', leaveRoom);
ui.tacticsLeave.addEventListener('click', leaveRoom);
ui.createForm.addEventListener('change', gameChoiceChanged);
ui.copyCode.addEventListener('click', copyCode);
ui.signOut.addEventListener('click', signOutClicked);
ui.retry.addEventListener('click', () => app.conn && app.conn.retryNow());
window.addEventListener('hashchange', () => {
  const code = codeFromLink();
  if (code && !app.room && app.conn && app.conn.connected) join(code);
});
updateControls();
boot();

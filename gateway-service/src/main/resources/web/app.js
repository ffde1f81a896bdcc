// Rune Forge browser client: sign-in -> lobby -> a game's session (docs/protocol.md). The SDK (sdk/, the files of
// clients/js/src) does all the protocol work: sign-in and refresh, the one WebSocket with resume, events once and
// in order, each game's state. This page shell owns the views, the lobby, the connection status and the alert;
// each game's own UI (games/index.js, chosen by `joined.game`) draws its session. Nothing here knows any game.

import { ClientErrorCodes, RuneForgeClient, RuneForgeError, State, foldsOf, normalizeCode } from './sdk/index.js';
import { GAMES } from './games/index.js';
import { $, clearError, el, loadParts, showError, showNotice } from './ui.js';
import { nameProblem, normalizeName } from './names.js';

const CODE_IN_LINK = /^#((?:[A-Za-z]{2,12}-){1,2}\d{4})$/;

const ui = {
  conn: document.querySelector('[data-testid="conn-status"]'),
  connText: document.querySelector('.conn-text'),
  retry: $('retry'),
  me: document.querySelector('[data-testid="me"]'),
  signOut: $('sign-out'),
  views: {
    loading: $('view-loading'),
    signin: $('view-signin'),
    lobby: $('view-lobby'),
    closed: $('view-closed'),
  },
  signinForm: $('signin-form'),
  nameInput: $('name-input'),
  nameError: $('name-error'),
  createForm: $('create-form'),
  createRoom: $('create-room'),
  gameChoice: $('game-choice'),
  gameOptions: $('game-options'),
  gameViews: $('game-views'),
  joinForm: $('join-form'),
  joinCode: $('join-code'),
  joinButton: $('join-room'),
  closedTitle: $('closed-title'),
  closedReason: $('closed-reason'),
  closedReplay: $('closed-replay'),
  backToLobby: $('back-to-lobby'),
  offline: $('offline-banner'),
  signinWhy: $('signin-why'),
  tries: document.querySelectorAll('[data-try]'),
};

/** Where "Try a dice room" / "Try a duel" go once the player has a name. */
const TRIES = {
  dice: { game: 'dice', settings: { mode: 'open' }, why: 'Pick a name, and your dice room opens.' },
  duel: { game: 'tactics', settings: { scenario: 'duel' }, why: 'Pick a name, and your duel opens: share its code with a friend.' },
};

const client = new RuneForgeClient();

const app = {
  view: 'loading',
  /** game id -> {module, controller, view: its section, options: its lobby options} */
  games: new Map(),
  /** the session on screen, and its game's entry */
  session: null,
  shown: null,
  /** a create or join waits for its answer */
  busy: false,
  wantCode: codeFromLink(),
  /** a "Try …" chosen before signing in */
  intent: null,
  /** a replay or roll page that sent the player here to sign in, and gets them back */
  next: nextFromLink(),
};

// ---------------------------------------------------------------- views

function showView(name) {
  if (app.view === name) return;
  app.view = name;
  for (const [key, section] of Object.entries(ui.views)) section.hidden = key !== name;
  for (const [id, entry] of app.games) entry.view.hidden = name !== `game:${id}`;
  updateControls(); // before focusing: a disabled button cannot take focus
  window.scrollTo(0, 0); // a new view starts at its top (a notice must not sit half under the top bar)
  const focusTarget = { signin: ui.nameInput, lobby: $('lobby-title'), closed: ui.closedTitle }[name];
  if (focusTarget) focusTarget.focus({ preventScroll: true });
  else if (app.shown && name === `game:${app.shown.module.id}`) app.shown.controller.focus();
}

const CONN_TEXT = {
  [State.CONNECTING]: 'Connecting…',
  [State.CONNECTED]: 'Connected',
  [State.RECONNECTING]: 'Reconnecting…',
  [State.OFFLINE]: 'Offline',
};

function renderConn(state, detail = {}) {
  ui.conn.hidden = !client.me;
  ui.conn.dataset.state = state;
  if (ui.connText.textContent !== CONN_TEXT[state]) ui.connText.textContent = CONN_TEXT[state]; // a live region
  if (detail.rttMs !== undefined) ui.conn.title = `Connected, ${detail.rttMs} ms round trip`;
  else if (detail.retryInMs !== undefined) ui.conn.title = `Next try in ${Math.ceil(detail.retryInMs / 1000)} s`;
  else ui.conn.title = CONN_TEXT[state];
  ui.retry.hidden = !client.running || state === State.CONNECTED || detail.retryInMs === undefined;
  renderOffline(state);
}

/** Lost the connection: say so over the page, and what still works. */
function renderOffline(state) {
  const lost = client.running && Boolean(client.me) && (state === State.OFFLINE || state === State.RECONNECTING);
  ui.offline.hidden = !lost;
  document.body.classList.toggle('is-offline', lost);
  if (!lost) return;
  const device = navigator.onLine === false ? 'This device is offline. ' : 'The connection to the table dropped. ';
  const text = `${device}${state === State.RECONNECTING ? 'Reconnecting…' : 'Trying again shortly.'} Whatever `
    + 'the others do meanwhile shows up when you are back; your own rolls and moves wait until then.';
  if (ui.offline.textContent !== text) ui.offline.textContent = text;
}

function renderMe() {
  const me = client.running ? client.me : null;
  ui.me.hidden = !me;
  ui.signOut.hidden = !me;
  ui.me.textContent = me ? me.name : '';
}

function updateControls() {
  const connected = client.connected;
  ui.createRoom.disabled = !connected || app.busy;
  ui.joinButton.disabled = !connected || app.busy;
  ui.createRoom.setAttribute('aria-busy', String(app.busy));
  if (app.shown) {
    const inSync = Boolean(app.session && app.session.synced);
    app.shown.controller.setEnabled(inSync);
    app.shown.view.classList.toggle('stale', Boolean(app.session) && !inSync);
  }
}

// ---------------------------------------------------------------- errors

const FRIENDLY = {
  ROOM_NOT_FOUND: (m, c) => (c && c.code ? `No room with code ${c.code}. Check the code and try again.`
    : 'That room does not exist (any more).'),
  ROOM_FULL: () => 'That room is full. Ask its admin to make space, or start your own.',
  KICKED: () => 'You were removed from that room and cannot join it again.',
  INVALID_NAME: () => 'That name cannot be used: 1–20 letters, digits, spaces, hyphens or apostrophes.',
  ALREADY_IN_SESSION: () => 'You are already in a room. Leave it first.',
  NOT_IN_ROOM: () => 'You are not in that room any more.',
  RATE_LIMIT: (m) => `You opened a lot of rooms in a short time${m ? ` (${m})` : ''}.`,
  RATE_LIMITED: () => 'Easy there: too many messages at once. Wait a moment.',
  UNAVAILABLE: () => 'The game service is unavailable right now. Try again in a moment.',
  BUSY: () => 'The table is very busy right now. Try again in a moment.',
  INTERNAL: () => 'Something went wrong on the server. Try again.',
  UNKNOWN_GAME: () => 'This server does not offer that game.',
};

/** A refusal in words: the game's own words first (`gameFriendly`), then the page's, then the server's. */
function friendly(code, message, context, gameFriendly = {}) {
  const f = gameFriendly[code] || FRIENDLY[code];
  return f ? f(message, context) : message || 'Something went wrong.';
}

/** Whether the server refused the request (as opposed to the connection failing it, or no answer). */
function isRefusal(e) {
  return e instanceof RuneForgeError && !Object.values(ClientErrorCodes).includes(e.code)
    && e.code !== 'TIMEOUT' && e.code !== 'NOT_IN_ROOM';
}

/** A request failed: say so in the alert, in words; what the connection's own news already says stays quiet. */
function failed(e, words = (code, message) => friendly(code, message)) {
  if (!(e instanceof RuneForgeError)) {
    console.error(e);
    showNotice('Something went wrong on this page. Try again.', 'CLIENT');
    return;
  }
  switch (e.code) {
    case ClientErrorCodes.NOT_CONNECTED:
      showNotice('Not connected to the table right now. Wait for “Connected” and try again.', 'OFFLINE');
      return;
    case 'TIMEOUT':
      showNotice('The server did not answer. Try again.', 'TIMEOUT');
      return;
    case ClientErrorCodes.CLOSED:
    case ClientErrorCodes.SESSION_ENDED:
    case ClientErrorCodes.CONNECTION_LOST:
      return; // the connection status or the session's end says it
    default:
      showError(e.code, words(e.code, e.message));
  }
}

/**
 * A game's action failed: a refusal goes to `onRefusal` (the game shows it where the player acted), anything else
 * to the page's alert.
 */
function settle(e, onRefusal, words) {
  if (isRefusal(e)) onRefusal(e);
  else failed(e, words);
}

/** What the games' UIs may ask of the page. */
const shell = {
  me: () => client.me,
  leave: leaveRoom,
  notice: showNotice,
  friendly: (code, message) => friendly(code, message),
  isRefusal,
  failed,
  settle,
};

// ---------------------------------------------------------------- sessions

function onJoined(session) {
  const entry = app.games.get(session.game);
  if (!entry) {
    showError('UNKNOWN_GAME', `This page cannot show a ${session.game} session.`);
    session.leave().catch(() => {});
    return;
  }
  if (app.shown && app.shown !== entry) app.shown.controller.clear();
  app.session = session;
  app.shown = entry;
  clearError();
  ui.joinCode.value = '';
  entry.controller.show(session, true);
  history.replaceState(null, '', `#${session.code}`);
  showView(`game:${entry.module.id}`);
  updateControls();
  closedNow(session, false);
}

function onSync(info, session) {
  if (session !== app.session) return;
  app.shown.controller.show(session, false);
  updateControls();
  closedNow(session, true); // a fresh view after a reconnect: it closed while we were away
}

function onEvent(e, session) {
  if (session !== app.session) return;
  app.shown.controller.event(session, e);
  closedNow(session, e.catchUp);
}

/** The session's state says it has closed: the closed screen says why (`gone`: while this page was away). */
function closedNow(session, away) {
  const reason = foldsOf(session.game).closed?.(session.state);
  if (!reason || session !== app.session) return;
  showClosed(away ? 'gone' : reason);
}

function onLeft(info, session) {
  if (session !== app.session) return; // we left it ourselves, or it closed on screen already
  if (info.reason === 'closed') {
    showClosed(foldsOf(session.game).closed?.(session.state) || null);
    return;
  }
  if (info.reason === 'gone' && info.error && info.error.code === 'ROOM_NOT_FOUND') {
    showClosed('gone');
    return;
  }
  const { code } = session;
  dropRoom();
  showView('lobby');
  if (info.reason === 'left') return; // this page (or its sign-out) left it
  if (info.reason === 'removed') showNotice(`The room’s admin removed you from room ${code}.`, 'REMOVED');
  else showNotice(`You are no longer in room ${code}.`, 'LEFT');
}

function dropRoom() {
  if (app.shown) app.shown.controller.clear();
  app.session = null;
  app.shown = null;
  if (CODE_IN_LINK.test(location.hash)) history.replaceState(null, '', location.pathname + location.search);
}

function showClosed(reason) {
  const session = app.session;
  const { module } = app.shown;
  const code = session.code || '';
  dropRoom();
  const text = reason === 'gone' ? `Room ${code} closed while you were away.`
    : module.closedText[reason] ? module.closedText[reason](code) : `Room ${code} has closed.`;
  ui.closedReason.textContent = text;
  ui.closedReason.dataset.reason = reason || '';
  ui.closedReplay.hidden = !module.replayable;
  if (module.replayable) ui.closedReplay.href = `/replay.html?session=${encodeURIComponent(session.id)}`;
  clearError();
  showView('closed');
}

// ---------------------------------------------------------------- lobby and room actions

function chosenGame() {
  const checked = ui.gameChoice.querySelector('input[name="game"]:checked');
  return app.games.get(checked ? checked.value : GAMES[0].id);
}

function gameChoiceChanged() {
  const chosen = chosenGame();
  for (const entry of app.games.values()) entry.options.hidden = entry !== chosen;
}

/** Create or join: one at a time; the `joined` shows the room, a refusal goes to the alert. */
async function enter(run, context) {
  app.busy = true;
  updateControls();
  try {
    await run();
  } catch (e) {
    if (e instanceof RuneForgeError && e.code === 'ROOM_NOT_FOUND' && CODE_IN_LINK.test(location.hash) && !app.session) {
      history.replaceState(null, '', location.pathname + location.search);
    }
    failed(e, (code, message) => friendly(code, message, context, context.game ? context.game.friendly : {}));
  } finally {
    app.busy = false;
    updateControls();
  }
}

function createRoom(event) {
  event.preventDefault();
  clearError();
  const entry = chosenGame();
  const settings = entry.controller.settings();
  if (!settings) return;
  enter(() => client.create(entry.module.id, settings), { game: entry.module });
}

function join(code) {
  enter(() => client.join(code), { code });
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

/** Leaves the room on screen (a game's UI asks, after any confirmation it wants). */
function leaveRoom() {
  const session = app.session;
  if (!session) return;
  session.leave().catch(() => {}); // the page has moved on; the server's `left` is then ignored
  dropRoom();
  clearError();
  showView('lobby');
}

function backToLobby() {
  showView('lobby');
}

// ---------------------------------------------------------------- sign-in

function startPlaying() {
  if (app.next) {
    location.assign(app.next); // back to the replay (or roll) that asked for a sign-in
    return;
  }
  showView('lobby');
  client.connect().catch(() => {}); // a lapsed sign-in comes as `signedout`
  renderMe();
}

/** `?next=/replay.html?session=…`: only this site's replay and roll pages, never another site. */
function nextFromLink() {
  const next = new URLSearchParams(location.search).get('next');
  return next && /^\/(replay\.html\?session=[A-Za-z0-9_-]{1,64}|roll\/[A-Za-z0-9_-]{16})$/.test(next) ? next : null;
}

/** "Try a dice room" / "Try a duel": remember it, ask for a name; it opens once the player is connected. */
function tryGame(event) {
  const which = TRIES[event.currentTarget.dataset.try];
  if (!which) return;
  app.intent = which;
  ui.signinWhy.textContent = which.why;
  ui.nameInput.focus();
}

function stopPlaying() {
  client.close();
  dropRoom();
  renderMe();
  renderConn(State.OFFLINE);
  clearError();
  showView('signin');
}

async function submitName(event) {
  event.preventDefault();
  const name = normalizeName(ui.nameInput.value);
  ui.nameError.textContent = '';
  ui.nameInput.removeAttribute('aria-invalid');
  const problem = nameProblem(name); // the server's rule, checked here first: no round trip for a typo
  if (problem) {
    ui.nameError.textContent = problem;
    ui.nameInput.setAttribute('aria-invalid', 'true');
    ui.nameInput.focus();
    return;
  }
  const button = ui.signinForm.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    await client.signInAsGuest(name);
    startPlaying();
  } catch (e) {
    ui.nameError.textContent = e instanceof RuneForgeError ? e.message : 'Cannot reach the server. Try again.';
    ui.nameInput.setAttribute('aria-invalid', 'true');
    ui.nameInput.focus();
  } finally {
    button.disabled = false;
  }
}

async function signOutClicked() {
  const signingOut = client.signOut(); // leaves the room first, then closes the connection
  stopPlaying();
  try {
    await signingOut;
  } catch {
    // the cookie stays until it expires; nothing else to do from here
  }
}

function codeFromLink() {
  const m = CODE_IN_LINK.exec(location.hash);
  return m ? m[1].toUpperCase() : null;
}

// ---------------------------------------------------------------- the games

/** Each game's markup into the page: a radio and its options in the lobby, its view among the views. */
async function mountGames() {
  const loaded = await Promise.all(GAMES.map(async (module) => ({ module, parts: await loadParts(module.markup) })));
  loaded.forEach(({ module, parts }, i) => {
    const label = el('label', 'mode-option');
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'game';
    input.value = module.id;
    input.dataset.testid = `game-${module.id}`;
    input.checked = i === 0;
    const text = el('span');
    text.append(el('strong', '', module.label), el('span', 'hint', module.hint));
    label.append(input, text);
    ui.gameChoice.append(label);
    const options = el('div', 'game-options');
    options.dataset.game = module.id;
    if (parts.create) options.append(parts.create);
    ui.gameOptions.append(options);
    const view = parts.view.querySelector('section');
    view.hidden = true;
    ui.gameViews.append(view);
    const controller = module.mount({ view, options }, shell);
    app.games.set(module.id, { module, controller, view, options });
  });
  gameChoiceChanged();
}

/**
 * Loads the games, then asks who we are, retrying with back-off: a server blip must not turn a signed-in player
 * into a stranger.
 */
async function boot(delayMs = 500) {
  try {
    if (app.games.size === 0) await mountGames();
    const player = await client.currentPlayer();
    if (player) startPlaying();
    else showView('signin');
  } catch (e) {
    console.warn('boot', e);
    ui.views.loading.querySelector('p').textContent = 'Cannot reach Rune Forge. Retrying…';
    setTimeout(() => boot(Math.min(delayMs * 2, 10_000)), delayMs);
  }
}

// ---------------------------------------------------------------- wiring

client.on('state', (state, detail) => {
  renderConn(state, detail);
  updateControls();
});
client.on('welcome', () => {
  renderMe();
  if (!client.session && app.wantCode) {
    join(app.wantCode);
    app.wantCode = null;
  } else if (!client.session && app.intent) {
    const { game, settings } = app.intent;
    app.intent = null;
    enter(() => client.create(game, settings), { game: app.games.get(game)?.module });
  }
  updateControls();
});
client.on('joined', onJoined);
client.on('sync', onSync);
client.on('syncing', updateControls);
client.on('event', onEvent);
client.on('left', onLeft);
client.on('error', (e) => failed(e));
client.on('signedout', () => {
  const name = client.me && client.me.name;
  stopPlaying();
  ui.nameInput.value = name || '';
  ui.nameError.textContent = 'Your sign-in has expired. Enter your name to continue.';
});

ui.signinForm.addEventListener('submit', submitName);
ui.createForm.addEventListener('submit', createRoom);
ui.createForm.addEventListener('change', gameChoiceChanged);
ui.joinForm.addEventListener('submit', joinRoom);
ui.backToLobby.addEventListener('click', backToLobby);
ui.signOut.addEventListener('click', signOutClicked);
ui.retry.addEventListener('click', () => client.retryNow());
for (const b of ui.tries) b.addEventListener('click', tryGame);
window.addEventListener('online', () => renderConn(client.state));
window.addEventListener('offline', () => renderConn(client.state));
// Installable (manifest.webmanifest): the service worker keeps the page's own files for a start without network;
// the game itself always needs it.
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
window.addEventListener('hashchange', () => {
  const code = codeFromLink();
  if (code && !app.session && client.connected) join(code);
});
updateControls();
boot();

// The dice room in the page (docs/protocol.md, Dice room): the roller, the feed, the players, DM and admin tools,
// the expiry and DM-grace banners, voice. The SDK keeps the room's state (sdk/games/dice.js folds the view and
// every event); this module draws it and turns clicks into the room's actions. The page shell (app.js) owns the
// connection and the lobby and tells this module when the session shows, changes and goes.

import * as dice from '../../sdk/games/dice.js';
import { VoicePanel } from '../../voice.js';
import { chatItem, clearError, confirmed, copyText, fieldError } from '../../ui.js';
import {
  COUNT, MODE_BADGE, MODIFIER, SIDES, clock, formula, intIn, isSingleD20, pickOf, rollButtonWords, rollWords,
} from './helpers.js';
import { changeItem, diceOf, playerItem, rollItem, rollSentence } from './render.js';
import { playRollSound, soundOn, setSound } from './sound.js';

const { DC } = dice;
const PAGE = 50; // rolls per "load older" page

/** Refusals in words, for the room's own codes. */
const FRIENDLY = {
  INVALID_DICE_FORMAT: (m) => `That is not a formula we can roll${m ? `: ${m}` : ''}. Try e.g. 2d6+3 or 4d6kh3.`,
  HIDDEN_NOT_ALLOWED: () => 'Only the DM rolls in secret, and only a DM-led room has a DM to roll to.',
  RATE_LIMIT: (m) => `Easy there: too many rolls at once${m ? ` (${m})` : ''}.`,
  NOT_DM: () => 'Only the DM can do that.',
  INVALID_LABEL: () => 'A label is up to 40 characters of plain text, e.g. Stealth.',
  INVALID_CHAT: () => 'A message is one line of up to 300 characters.',
  ROLL_NOT_FOUND: () => 'That roll is no longer in the room’s history.',
  ROLL_NOT_HIDDEN: () => 'That roll is already public.',
  INVALID_DC: () => `A DC is a whole number from ${DC.min} to ${DC.max}.`,
  NOT_ROOM_CREATOR: () => 'Only the player who created the room can make it DM-led.',
  PLAYER_NOT_FOUND: () => 'That player is no longer in the room.',
  ALREADY_DM_LED: () => 'This room is already DM-led.',
  NOT_ADMIN: () => 'Only the room’s admin can remove players.',
  CANNOT_KICK_SELF: () => 'You cannot remove yourself. Use “Leave room” instead.',
};

const CLOSED = {
  expired: (code) => `Nobody rolled for a while, so room ${code} closed.`,
  dm_left: (code) => `The DM left room ${code} (or lost their connection and did not come back in time), so the room closed.`,
  ended: (code) => `The host ended room ${code}.`,
};

export default {
  id: 'dice',
  label: 'Dice room',
  hint: 'Roll together.',
  markup: new URL('./dice.html', import.meta.url),
  friendly: FRIENDLY,
  closedText: CLOSED,
  replayable: false,
  mount,
};

/**
 * @param {{view: Element, options: Element}} root  the room's section; the lobby's options for a new room
 * @param {object} shell  {me(): {player, name}|null, leave(), friendly(code, message): string, failed(error)}
 */
function mount(root, shell) {
  const q = (id) => root.view.querySelector(`#${id}`);
  const ui = {
    roomCode: q('room-code'),
    copyCode: q('copy-code'),
    copyStatus: q('copy-status'),
    roomMode: q('room-mode'),
    roomDc: q('room-dc'),
    promote: q('promote'),
    leave: q('leave'),
    expiryBanner: q('expiry-banner'),
    expiryText: q('expiry-text'),
    graceBanner: q('grace-banner'),
    graceText: q('grace-text'),
    dmCard: q('dm-card'),
    dcForm: q('dc-form'),
    dcInput: q('dc-input'),
    setDc: q('set-dc'),
    clearDc: q('clear-dc'),
    dcError: q('dc-error'),
    players: root.view.querySelector('[data-testid="players"]'),
    playerCount: q('player-count'),
    diceButtons: q('dice-buttons'),
    rollForm: q('roll-form'),
    count: q('dice-count'),
    modifier: q('dice-modifier'),
    formulaInput: q('formula-input'),
    advChoice: q('adv-choice'),
    rollError: q('roll-error'),
    rollButton: q('roll'),
    formula: q('formula'),
    feed: q('roll-feed'),
    feedEmpty: q('feed-empty'),
    loadOlder: q('load-older'),
    stage: q('roll-stage'),
    stageWho: q('stage-who'),
    stageWhat: q('stage-what'),
    stageMode: q('stage-mode'),
    stageLabel: q('stage-label'),
    stageDice: q('stage-dice'),
    stageTotal: q('stage-total'),
    sound: q('sound-toggle'),
    announce: q('room-announce'),
    label: q('roll-label'),
    mode: q('roll-mode'),
    offline: q('roll-offline'),
    chatLog: q('chat-log'),
    chatEmpty: q('chat-empty'),
    chatForm: q('chat-form'),
    chatInput: q('chat-input'),
    chatSend: q('chat-send'),
    chatError: q('chat-error'),
  };
  const page = {
    /** @type {import('../../sdk/client.js').Session|null} */
    session: null,
    /** the picker's model, or null while the field holds a formula the picker cannot show */
    pick: { count: COUNT.initial, sides: 20, modifier: MODIFIER.initial },
    enabled: false,
    /** the roll on the stage (its id and what it showed), so a redraw for nothing does not replay the dice */
    staged: '',
    loadingOlder: false,
    /** feed key (roll id, or change:<at>:<kind>) -> {node, sig}: nothing is shown twice, nothing redrawn for nothing */
    feedNodes: new Map(),
    ticker: 0,
  };

  // Voice is optional: the panel hides itself when the server has none, and its failures never reach the game.
  let voice = null;
  try {
    voice = new VoicePanel(q('voice-panel'));
  } catch (e) {
    console.warn('voice panel unavailable', e);
  }
  const voiceEnter = (id) => { try { voice?.enter(id); } catch (e) { console.warn(e); } };
  const voiceExit = () => { try { voice?.exit(); } catch (e) { console.warn(e); } };

  const state = () => page.session.state;
  const myId = () => shell.me()?.player;
  const amDm = () => Boolean(page.session && dice.isDm(state(), myId()));
  const amAdmin = () => Boolean(page.session && dice.isAdmin(state(), myId()));
  const nameOf = (id) => (page.session && dice.nameOf(state(), id)) || 'The room’s creator';
  const friendly = (code, message) => (FRIENDLY[code] ? FRIENDLY[code](message) : shell.friendly(code, message));

  // ---------------------------------------------------------------- the session, from the shell

  /** A room shows: a new one (`fresh`), or the same one again after a reconnect or a fresh view. */
  function show(session, fresh) {
    page.session = session;
    if (fresh) {
      page.feedNodes.clear();
      ui.feed.replaceChildren();
      fieldError(ui.rollError, null, '');
      fieldError(ui.dcError, null, '');
      fieldError(ui.chatError, null, '');
      ui.mode.value = 'public';
      ui.label.value = '';
      ui.copyStatus.textContent = '';
      page.staged = '';
    }
    ui.roomCode.textContent = session.code;
    renderMeta();
    renderPlayers();
    renderFeed({ quiet: true });
    renderChat();
    renderBanners();
    voiceEnter(session.id);
  }

  /** One event, already folded into the session's state. */
  function event(session, e) {
    page.session = session;
    switch (e.body.type) {
      case 'player_joined':
      case 'player_left':
      case 'presence':
        renderPlayers();
        renderBanners();
        break;
      case 'player_kicked':
        renderPlayers();
        renderChat();
        renderBanners();
        break;
      case 'admin_changed':
        renderMeta();
        renderPlayers();
        renderBanners();
        break;
      case 'chat':
        renderChat();
        if (!e.catchUp && e.body.text !== undefined) announce(`${e.body.name} says: ${e.body.text}`);
        renderBanners();
        break;
      case 'rolled':
      case 'roll_revealed':
        renderFeed({ quiet: e.catchUp });
        renderBanners();
        break;
      case 'dc_set':
      case 'dc_cleared':
        renderMeta();
        renderBanners();
        break;
      case 'mode_changed':
        renderMeta();
        renderPlayers();
        renderFeed({ quiet: e.catchUp }); // the change's line; reveal buttons follow the DM
        renderBanners();
        break;
      default:
        renderBanners();
    }
  }

  function clear() {
    voiceExit();
    page.session = null;
    page.feedNodes.clear();
    ui.feed.replaceChildren();
    ui.players.replaceChildren();
    ui.chatLog.replaceChildren();
    renderBanners();
    renderStage();
  }

  function setEnabled(on) {
    page.enabled = on;
    for (const b of [ui.rollButton, ui.setDc, ui.clearDc, ui.promote, ui.loadOlder, ui.chatSend]) b.disabled = !on;
    ui.offline.hidden = on || !page.session;
    for (const b of root.view.querySelectorAll('[data-action]')) b.disabled = !on;
    if (on) ui.loadOlder.disabled = page.loadingOlder;
  }

  // ---------------------------------------------------------------- rendering

  /** Mode, DC and the controls that depend on who I am in this room. */
  function renderMeta() {
    const s = state();
    ui.roomMode.textContent = s.mode === 'dm-led' ? 'DM-led' : 'Open';
    ui.roomMode.dataset.mode = s.mode;
    ui.roomDc.hidden = s.dc === null;
    ui.roomDc.textContent = s.dc === null ? '' : `DC ${s.dc}`;
    ui.roomDc.title = s.dc === null ? '' : `Rolls are checked against DC ${s.dc}`;
    ui.promote.hidden = !(amAdmin() && s.mode === 'open');
    ui.dmCard.hidden = !amDm();
    renderModes();
    updateFormula();
  }

  function renderPlayers() {
    const s = state();
    const who = { me: myId(), admin: s.creator, dm: s.dm, canKick: amAdmin() };
    ui.players.replaceChildren(...s.players.map((p) => playerItem(p, who)));
    ui.playerCount.textContent = `(${s.players.length})`;
    setEnabled(page.enabled);
  }

  /** Rolls (oldest first) with the history's other lines (mode changes) slotted in by time. */
  function feedEntries() {
    const s = state();
    const changes = [...s.changes].sort((a, b) => a.at - b.at);
    const out = [];
    let c = 0;
    const changeKey = (change) => `change:${change.at}:${change.kind}`;
    for (const roll of s.rolls) {
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
   * place and redrawing only entries that changed (a reveal, the DM's buttons): the feed is a live region, and an
   * entry removed and re-added would be read out again. `quiet`: a whole history arriving at once is not news.
   */
  function renderFeed({ quiet = false } = {}) {
    const feed = ui.feed;
    const entries = feedEntries();
    const keep = new Set(entries.map((e) => e.key));
    for (const [key, { node }] of page.feedNodes) {
      if (!keep.has(key)) {
        node.remove();
        page.feedNodes.delete(key);
      }
    }
    const dm = amDm();
    let older = null; // each entry goes right before the one that came before it
    for (const entry of entries) {
      const sig = `${dm}|${JSON.stringify(entry.roll || entry.change)}`;
      let known = page.feedNodes.get(entry.key);
      if (known && known.sig !== sig) {
        const fresh = makeNode(entry);
        known.node.replaceWith(fresh);
        known = { node: fresh, sig };
        page.feedNodes.set(entry.key, known);
      }
      if (!known) {
        known = { node: makeNode(entry), sig };
        if (!quiet) known.node.classList.add('fresh');
        page.feedNodes.set(entry.key, known);
      }
      const { node } = known;
      if (node.parentNode !== feed || node.nextSibling !== older) feed.insertBefore(node, older);
      older = node;
    }
    ui.feedEmpty.hidden = page.feedNodes.size > 0;
    ui.loadOlder.hidden = !state().hasOlder;
    renderStage({ quiet });
    setEnabled(page.enabled);
  }

  /**
   * The newest roll (anyone's) on the stage at the top of the room, which stays in view while the page scrolls:
   * who, what in words, its dice and total (or that it was rolled in secret). A new roll tumbles its dice (not
   * with reduced motion), may click (sound is off unless the player turns it on) and is read out once by the
   * room's one status line (the feed itself is not a live region, so a busy table does not flood it).
   */
  function renderStage({ quiet = true } = {}) {
    const roll = page.session ? state().rolls.at(-1) : null;
    ui.stage.hidden = !roll;
    if (!roll) {
      page.staged = '';
      return;
    }
    const sig = `${roll.id}|${roll.total}|${roll.revealedAt}|${roll.name}`;
    if (sig === page.staged) return;
    const fresh = !page.staged.startsWith(`${roll.id}|`);
    page.staged = sig;
    const mode = dice.modeOf(roll);
    const whole = Number.isFinite(roll.total);
    ui.stage.dataset.rollId = roll.id;
    ui.stage.dataset.mode = mode;
    ui.stage.classList.toggle('mine', roll.player === myId());
    ui.stageWho.textContent = roll.player === myId() ? 'You' : roll.name;
    ui.stageWhat.textContent = whole ? `rolled ${rollWords(roll)}`
      : { dm: 'rolled to the DM', self: 'rolled for themselves' }[mode] || 'rolled in secret';
    const revealed = Number.isFinite(roll.revealedAt);
    ui.stageMode.hidden = mode === 'public' || revealed;
    ui.stageMode.textContent = MODE_BADGE[mode] || '';
    ui.stageMode.className = `badge badge-${mode}`;
    ui.stageLabel.textContent = whole && roll.label ? roll.label : '';
    ui.stageDice.replaceChildren(whole ? diceOf(roll) : '');
    ui.stageTotal.textContent = whole ? String(roll.total) : '?';
    ui.stageTotal.dataset.total = whole ? String(roll.total) : '';
    ui.stageTotal.setAttribute('aria-label', whole ? `Total ${roll.total}` : 'Total hidden');
    if (!quiet && fresh) {
      ui.stage.classList.remove('rolling');
      void ui.stage.offsetWidth; // restart the animation
      ui.stage.classList.add('rolling');
      announce(rollSentence(roll, roll.player === myId()));
      if (soundOn()) playRollSound();
    }
  }

  /** One sentence for screen readers, in the room's one status line. */
  function announce(text) {
    ui.announce.textContent = '';
    setTimeout(() => {
      ui.announce.textContent = text;
    }, 50);
  }

  function renderChat() {
    const lines = page.session ? state().chat : [];
    ui.chatLog.replaceChildren(...lines.map((c) => chatItem(c, myId())));
    ui.chatEmpty.hidden = lines.length > 0;
    ui.chatLog.scrollTop = ui.chatLog.scrollHeight;
  }

  /** The expiry warning and the DM's grace, counting down on this machine's clock. */
  function renderBanners() {
    const s = page.session && !page.session.ended ? state() : null;
    const now = Date.now();
    const expiring = s && s.expiring;
    ui.expiryBanner.hidden = !expiring;
    if (expiring) {
      const until = page.session.localTime(expiring.until);
      const text = `Quiet table: this room closes in ${clock(until - now)} unless someone rolls.`;
      if (ui.expiryText.textContent !== text) ui.expiryText.textContent = text;
    }
    const grace = s && s.grace;
    ui.graceBanner.hidden = !grace;
    if (grace) {
      const until = page.session.localTime(grace.until);
      const text = `${nameOf(grace.player)} (the DM) lost their connection. The room closes in `
        + `${clock(until - now)} unless they come back.`;
      if (ui.graceText.textContent !== text) ui.graceText.textContent = text;
    }
    const ticking = Boolean(expiring || grace);
    if (ticking && !page.ticker) page.ticker = setInterval(renderBanners, 1000);
    if (!ticking && page.ticker) {
      clearInterval(page.ticker);
      page.ticker = 0;
    }
  }

  // ---------------------------------------------------------------- the roller

  function buildDiceButtons() {
    for (const sides of SIDES) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `die-btn d${sides}`;
      b.setAttribute('role', 'radio');
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
    selectDie(page.pick.sides);
  }

  /** A die from the picker: the formula becomes `<count>d<sides><modifier>` (never appended to what was typed). */
  function selectDie(sides) {
    const count = intIn(ui.count.value, COUNT) ?? COUNT.initial;
    const modifier = intIn(ui.modifier.value, MODIFIER) ?? MODIFIER.initial;
    page.pick = { count, sides, modifier };
    ui.count.value = String(count);
    ui.modifier.value = String(modifier);
    ui.formulaInput.value = formula(count, sides, modifier);
    fieldError(ui.rollError, null, '');
    renderPicker();
    updateFormula();
  }

  /** The die buttons as one radio group: one tab stop, arrow keys move between dice. */
  function renderPicker() {
    const sides = page.pick ? page.pick.sides : null;
    const buttons = [...ui.diceButtons.children];
    buttons.forEach((b) => {
      const on = Number(b.dataset.sides) === sides;
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on ? 0 : -1;
    });
    if (sides === null && buttons[0]) buttons[0].tabIndex = 0;
  }

  function pickerKeys(event) {
    const keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (!(event.key in keys)) return;
    event.preventDefault();
    const buttons = [...ui.diceButtons.children];
    const at = buttons.indexOf(document.activeElement);
    const next = buttons[(Math.max(at, 0) + keys[event.key] + buttons.length) % buttons.length];
    selectDie(Number(next.dataset.sides));
    next.focus();
  }

  /** How many / modifier changed: the picker's formula, if a die is picked. */
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
      const sides = page.pick ? page.pick.sides : 20;
      page.pick = { count, sides, modifier };
      ui.formulaInput.value = formula(count, sides, modifier);
      fieldError(ui.rollError, null, '');
      renderPicker();
    }
    updateFormula();
  }

  /** Typed: the picker follows when it can show the formula, else it lets go (no die picked). */
  function typedFormula() {
    fieldError(ui.rollError, null, '');
    page.pick = pickOf(ui.formulaInput.value);
    if (page.pick) {
      ui.count.value = String(page.pick.count);
      ui.modifier.value = String(page.pick.modifier);
      ui.count.removeAttribute('aria-invalid');
      ui.modifier.removeAttribute('aria-invalid');
    }
    renderPicker();
    updateFormula();
  }

  /** Who may see a roll here: the room's modes this player may use. */
  function renderModes() {
    const s = state();
    const options = [['public', 'Everyone']];
    if (s.mode === 'dm-led' && !amDm()) options.push(['dm', 'Only the DM (and me)']);
    options.push(['self', 'Only me']);
    if (amDm()) options.push(['secret', 'Secret: only me until I reveal it']);
    const keep = ui.mode.value;
    const sig = options.map(([v]) => v).join();
    if (ui.mode.dataset.sig !== sig) {
      ui.mode.replaceChildren(...options.map(([value, text]) => {
        const o = document.createElement('option');
        o.value = value;
        o.textContent = text;
        return o;
      }));
      ui.mode.dataset.sig = sig;
    }
    ui.mode.value = options.some(([v]) => v === keep) ? keep : 'public';
  }

  function updateFormula() {
    const text = ui.formulaInput.value.trim();
    ui.formulaInput.removeAttribute('aria-invalid');
    const d20 = isSingleD20(text);
    ui.advChoice.disabled = !d20;
    ui.advChoice.classList.toggle('off', !d20);
    const adv = d20 ? advantage() : 'none';
    ui.formula.textContent = rollButtonWords(text, adv === 'none' ? undefined : adv, ui.mode.value);
    ui.rollButton.dataset.mode = ui.mode.value;
  }

  function advantage() {
    const checked = ui.advChoice.querySelector('input[name="adv"]:checked');
    return checked ? checked.value : 'none';
  }

  /** An action of this room; its refusal goes where `onError` puts it (the alert by default). */
  function act(run, onError = (e) => shell.failed(e, friendly)) {
    const session = page.session;
    if (!session) return;
    clearError();
    run(session).catch(onError);
  }

  function roll(event) {
    event.preventDefault();
    if (!page.session) return;
    const text = ui.formulaInput.value.trim();
    if (!text) {
      fieldError(ui.rollError, 'NO_FORMULA', 'Pick a die or type a formula, e.g. 2d6+3.');
      ui.formulaInput.focus();
      return;
    }
    fieldError(ui.rollError, null, '');
    const adv = advantage();
    const mode = ui.mode.value || 'public';
    const options = {
      advantage: adv !== 'none' && isSingleD20(text) ? adv : undefined,
      mode,
      label: ui.label.value,
    };
    // A roll to fewer people is a one-off: the next roll is public again, and the button says so.
    if (mode !== 'public') {
      ui.mode.value = 'public';
      updateFormula();
    }
    ui.label.value = '';
    act((s) => dice.roll(s, text, options), (e) => {
      if (!shell.isRefusal(e)) {
        shell.failed(e, friendly);
        return;
      }
      fieldError(ui.rollError, e.code, friendly(e.code, e.message));
      ui.formulaInput.setAttribute('aria-invalid', String(e.code === 'INVALID_DICE_FORMAT'));
    });
  }

  function sendChat(event) {
    event.preventDefault();
    const text = ui.chatInput.value.trim();
    if (!text || !page.session) return;
    fieldError(ui.chatError, null, '');
    act((s) => dice.chat(s, text).then(() => {
      if (ui.chatInput.value.trim() === text) ui.chatInput.value = '';
    }), (e) => {
      if (!shell.isRefusal(e)) {
        shell.failed(e, friendly);
        return;
      }
      fieldError(ui.chatError, e.code, friendly(e.code, e.message));
    });
  }

  function renderSound() {
    const on = soundOn();
    ui.sound.setAttribute('aria-pressed', String(on));
    ui.sound.textContent = on ? 'Sound on' : 'Sound off';
  }

  // ---------------------------------------------------------------- DM and admin controls

  function dcFailed(e) {
    if (!shell.isRefusal(e)) {
      shell.failed(e, friendly);
      return;
    }
    fieldError(ui.dcError, e.code, friendly(e.code, e.message));
  }

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
    act((s) => dice.setDc(s, dc).then(() => {
      ui.dcInput.value = '';
    }), dcFailed);
  }

  function clearDc() {
    fieldError(ui.dcError, null, '');
    act((s) => dice.clearDc(s), dcFailed);
  }

  function promote() {
    if (!confirmed(ui.promote, 'Sure? You become the DM')) return;
    act((s) => dice.promote(s));
    ui.promote.hidden = true;
  }

  function onPlayersClick(event) {
    const b = event.target.closest('button[data-action="kick"]');
    if (!b) return;
    const li = b.closest('[data-player-id]');
    if (!li || !confirmed(b, 'Sure? Remove')) return;
    act((s) => dice.kick(s, li.dataset.playerId));
  }

  function onFeedClick(event) {
    const b = event.target.closest('button[data-action]');
    if (!b || !page.session) return;
    const li = b.closest('[data-roll-id]');
    const found = li && state().rolls.find((r) => r.id === li.dataset.rollId);
    if (!found) return;
    if (b.dataset.action === 'reveal') {
      b.disabled = true;
      act((s) => dice.reveal(s, found.id), (e) => {
        b.disabled = !page.enabled; // its button back
        shell.failed(e, friendly);
      });
    } else if (b.dataset.action === 'copy-link' && dice.isPublic(found)) {
      copyLink(b, `${location.origin}/roll/${encodeURIComponent(found.id)}`);
    }
  }

  function loadOlder() {
    if (!page.session || !state().hasOlder || page.loadingOlder) return;
    page.loadingOlder = true;
    setEnabled(page.enabled);
    act(async (s) => {
      try {
        await dice.loadOlder(s, { limit: PAGE });
        if (page.session === s) renderFeed({ quiet: true });
      } finally {
        page.loadingOlder = false;
        setEnabled(page.enabled);
      }
    });
  }

  function leave() {
    // The DM leaving a DM-led room closes it for everyone: ask first.
    if (amDm() && page.enabled && !confirmed(ui.leave, 'Sure? This closes the room')) return;
    shell.leave();
  }

  // ---------------------------------------------------------------- clipboard

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
    const code = page.session && page.session.code;
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

  // ---------------------------------------------------------------- the lobby's options

  /** The settings of a new room from the lobby's options. */
  function settings() {
    const mode = root.options.querySelector('input[name="mode"]:checked');
    return { mode: mode ? mode.value : 'open' };
  }

  // ---------------------------------------------------------------- wiring

  buildDiceButtons();
  ui.rollForm.addEventListener('submit', roll);
  ui.count.addEventListener('input', pickerChanged);
  ui.modifier.addEventListener('input', pickerChanged);
  ui.formulaInput.addEventListener('input', typedFormula);
  ui.formulaInput.addEventListener('focus', () => ui.formulaInput.select());
  ui.advChoice.addEventListener('change', updateFormula);
  ui.mode.addEventListener('change', updateFormula);
  ui.diceButtons.addEventListener('keydown', pickerKeys);
  ui.chatForm.addEventListener('submit', sendChat);
  ui.sound.addEventListener('click', () => {
    setSound(!soundOn());
    renderSound();
    if (soundOn()) playRollSound();
  });
  renderSound();
  ui.dcForm.addEventListener('submit', setDc);
  ui.clearDc.addEventListener('click', clearDc);
  ui.promote.addEventListener('click', promote);
  ui.players.addEventListener('click', onPlayersClick);
  ui.feed.addEventListener('click', onFeedClick);
  ui.loadOlder.addEventListener('click', loadOlder);
  ui.leave.addEventListener('click', leave);
  ui.copyCode.addEventListener('click', copyCode);

  return {
    show,
    event,
    clear,
    setEnabled,
    settings,
    focus: () => ui.rollButton.focus({ preventScroll: true }),
  };
}


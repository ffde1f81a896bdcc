// The dice room's DOM pieces: roll cards, history lines, the player list. Everything a player typed (names,
// formulas) goes in through textContent only.

import { isPublic, modeOf } from '../../sdk/games/dice.js';
import { el } from '../../ui.js';
import { MODE_BADGE, rollWords } from './helpers.js';

function srOnly(text) {
  return el('span', 'sr-only', text);
}

function button(text, className, testid, action) {
  const b = el('button', `btn btn-small ${className}`, text);
  b.type = 'button';
  b.dataset.testid = testid;
  b.dataset.action = action;
  return b;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function timeOf(at) {
  const when = new Date(at);
  const time = el('time', 'roll-time', timeFormat.format(when));
  time.dateTime = when.toISOString();
  return time;
}

const HIDDEN_TEXT = { dm: 'rolled to the DM', self: 'rolled for themselves', secret: 'rolled in secret' };

/** A roll in one sentence, for the room's status line: "Alice rolled 1d20+5 with advantage for Stealth: 17". */
export function rollSentence(roll, mine) {
  const who = mine ? 'You' : roll.name;
  if (!Number.isFinite(roll.total)) return `${who} ${HIDDEN_TEXT[modeOf(roll)] || 'rolled in secret'}.`;
  const mode = modeOf(roll);
  const to = mode === 'public' || Number.isFinite(roll.revealedAt) ? '' : ` (${MODE_BADGE[mode]})`;
  return `${who} rolled ${rollWords(roll)}${roll.label ? ` for ${roll.label}` : ''}${to}: ${roll.total}.`;
}

/**
 * One roll as a feed entry. Read aloud it says "Alice rolled 2d20+3: 14, 7, plus 3. Total 24".
 * @param {object} who  {me: my player id, dm: whether I am the DM (I may reveal hidden rolls)}
 */
export function rollItem(roll, { me, dm }) {
  const li = el('li', 'roll');
  li.dataset.testid = 'roll-entry';
  li.dataset.rollId = roll.id;
  if (Number.isFinite(roll.total)) li.dataset.total = String(roll.total);
  if (roll.player === me) li.classList.add('mine');

  const head = el('div', 'roll-head');
  if (Number.isFinite(roll.number)) {
    const number = el('span', 'roll-number', `#${roll.number}`);
    number.title = `Roll ${roll.number} in this room`;
    head.append(number, srOnly(' '));
  }
  head.append(el('span', 'roll-who', roll.name), srOnly(' rolled '));
  if (roll.formula) head.append(el('span', 'roll-formula', rollWords(roll)));
  if (roll.label) head.append(srOnly(' for '), el('span', 'roll-label', roll.label));
  const mode = modeOf(roll);
  li.dataset.mode = mode;
  if (roll.hidden) {
    const revealed = Number.isFinite(roll.revealedAt);
    const tag = el('span', `badge ${revealed ? 'badge-revealed' : `badge-secret badge-${mode}`}`,
      revealed ? 'revealed' : MODE_BADGE[mode]);
    tag.dataset.testid = revealed ? 'roll-revealed' : 'roll-secret-badge';
    head.append(srOnly(' '), tag);
  }
  if (Number.isFinite(roll.at)) head.append(srOnly(' at '), timeOf(roll.at));
  head.append(srOnly(': '));

  const body = el('div', 'roll-body');
  if (roll.hidden && !Number.isFinite(roll.total)) {
    // A DM's secret roll: nobody but the DM gets its dice until it is revealed.
    li.classList.add('hidden-roll');
    const secret = el('span', 'roll-secret', HIDDEN_TEXT[mode] || 'rolled in secret');
    secret.dataset.testid = 'roll-secret';
    body.append(secret);
    li.append(head, body);
    return li;
  }
  if (roll.hidden) li.classList.add(Number.isFinite(roll.revealedAt) ? 'revealed-roll' : 'hidden-roll');
  body.append(diceOf(roll));
  if (roll.modifier) {
    const mod = el('span', 'roll-mod');
    const sign = el('span', '', roll.modifier > 0 ? '+' : '−');
    sign.setAttribute('aria-hidden', 'true');
    mod.append(srOnly(roll.modifier > 0 ? ', plus ' : ', minus '), sign, String(Math.abs(roll.modifier)));
    body.append(mod);
  }
  const total = el('span', 'roll-total');
  total.append(srOnly('. Total '), el('span', 'roll-total-value', String(roll.total)));
  total.dataset.testid = 'roll-total';
  body.append(total);

  const foot = el('div', 'roll-foot');
  if (Number.isFinite(roll.dc)) {
    const check = el('span', `roll-dc ${roll.passed ? 'pass' : 'fail'}`, `DC ${roll.dc}: ${roll.passed ? 'pass' : 'fail'}`);
    check.dataset.testid = 'roll-dc';
    check.dataset.passed = String(Boolean(roll.passed));
    foot.append(check);
  }
  if (dm && mode === 'secret' && !Number.isFinite(roll.revealedAt)) {
    const reveal = button('Reveal', 'btn-primary', 'reveal', 'reveal');
    reveal.setAttribute('aria-label', `Reveal ${rollWords(roll)} (${roll.total}) to everyone`);
    foot.append(reveal);
  }
  if (isPublic(roll)) {
    // Its name starts with its visible words (WCAG 2.5.3, label in name), then says which roll.
    const copy = button('Copy link', 'btn-ghost btn-link', 'copy-link', 'copy-link');
    copy.setAttribute('aria-label', `Copy link to ${roll.name}'s roll of ${rollWords(roll)}`);
    foot.append(copy);
  }
  li.append(head, body);
  if (foot.childElementCount) li.append(foot);
  return li;
}

/** The dice of every term, dropped ones struck through, exploded ones marked. */
export function diceOf(roll) {
  const dice = el('span', 'roll-dice');
  const terms = Array.isArray(roll.terms) ? roll.terms : [];
  terms.forEach((term, t) => {
    if (t > 0 || term.sign < 0) dice.append(el('span', 'roll-sign', term.sign < 0 ? '−' : '+'));
    const faces = term.dice || [];
    faces.forEach((die, i) => {
      const d = el('span', `die-face d${term.sides}`, String(die.value));
      d.dataset.testid = 'die-value';
      if (!die.kept) {
        d.classList.add('dropped');
        d.title = 'dropped';
      }
      if (die.exploded) {
        d.classList.add('exploded');
        d.title = 'exploded: rolled again';
      }
      if (die.value === term.sides) d.classList.add('max');
      else if (die.value === 1 && term.sides > 2) d.classList.add('min');
      dice.append(d);
      if (!die.kept) dice.append(srOnly(' (dropped)'));
      if (die.exploded) dice.append(srOnly(' (exploded)'));
      if (i < faces.length - 1) dice.append(srOnly(', '));
    });
  });
  return dice;
}

const CHANGE_TEXT = {
  'dm-led': (name) => `${name} made this room DM-led. ${name} is the DM now.`,
  open: (name) => `${name} opened the room to everyone.`,
};

/** A line in the history that is not a roll, e.g. the room becoming DM-led. */
export function changeItem(change, byName) {
  const li = el('li', 'feed-change');
  li.dataset.testid = 'change-entry';
  li.dataset.kind = change.kind;
  const text = (CHANGE_TEXT[change.kind] || ((name) => `${name} changed the room (${change.kind}).`))(byName);
  li.append(el('span', 'change-text', text));
  if (Number.isFinite(change.at)) li.append(srOnly(' at '), timeOf(change.at));
  return li;
}

/**
 * The player list: one <li> per player, you, the admin and the DM marked in words, not colour alone; a
 * connection dot; for the admin, a remove button next to everyone else.
 */
export function playerItem(player, { me, admin, dm, canKick }) {
  const li = el('li', 'player');
  li.dataset.playerId = player.id;
  li.dataset.testid = 'player';
  const connected = player.connected !== false;
  li.dataset.connected = String(connected);
  const dot = el('span', 'presence-dot');
  dot.dataset.testid = 'presence';
  dot.setAttribute('aria-hidden', 'true');
  li.append(dot, el('span', 'player-name', player.name), srOnly(connected ? ' (online)' : ' (offline)'));
  if (player.id === dm) li.append(srOnly(', '), el('span', 'badge badge-dm', 'DM'));
  if (player.id === admin) {
    li.classList.add('admin');
    li.append(srOnly(', '), el('span', 'badge badge-admin', 'admin'));
  }
  if (player.id === me) {
    li.classList.add('me');
    li.append(srOnly(', '), el('span', 'badge badge-me', 'you'));
  }
  if (canKick && player.id !== me) {
    const kick = button('Remove', 'btn-ghost btn-kick', 'kick', 'kick');
    kick.setAttribute('aria-label', `Remove ${player.name} from the room`);
    li.append(kick);
  }
  return li;
}

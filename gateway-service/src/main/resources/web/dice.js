// The dice room's pieces that do not touch the socket: formulas, roll cards, history lines, the player list.
// Everything a player typed (names, formulas) goes in through textContent only.

export const SIDES = Object.freeze([4, 6, 8, 10, 12, 20, 100]);
export const COUNT = Object.freeze({ min: 1, max: 100, initial: 1 });
export const MODIFIER = Object.freeze({ min: -100, max: 100, initial: 0 });
export const DC = Object.freeze({ min: 1, max: 30 });

/** `2d20+3`, `1d6`, `3d8-1`: what the die picker makes of its inputs. */
export function formula(count, sides, modifier) {
  const mod = modifier === 0 ? '' : modifier > 0 ? `+${modifier}` : `${modifier}`;
  return `${count}d${sides}${mod}`;
}

/** An integer in [min, max] from an input's text, or null. */
export function intIn(text, { min, max }) {
  const s = String(text).trim();
  if (!/^[+-]?\d{1,4}$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

/**
 * Whether advantage/disadvantage applies: one d20 and constants (`d20`, `1d20+5`, `1d20 - 1 + 2`).
 * The server is the judge; this only decides whether the toggle is offered.
 */
export function isSingleD20(text) {
  return /^\s*1?\s*d\s*20\s*([+-]\s*\d+\s*)*$/i.test(String(text));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

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

/** Whether everyone may see the roll (and so it has a permalink): not hidden, or revealed. */
export function isPublic(roll) {
  return !roll.hidden || Number.isFinite(roll.revealedAt);
}

/**
 * One roll as a feed entry. Read aloud (the feed is a live region) it says
 * "Alice rolled 2d20+3: 14, 7, plus 3. Total 24".
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
  if (roll.formula) head.append(el('span', 'roll-formula', roll.formula));
  if (roll.hidden) {
    const revealed = Number.isFinite(roll.revealedAt);
    const tag = el('span', `badge ${revealed ? 'badge-revealed' : 'badge-secret'}`, revealed ? 'revealed' : 'secret');
    tag.dataset.testid = revealed ? 'roll-revealed' : 'roll-secret-badge';
    head.append(srOnly(' '), tag);
  }
  if (Number.isFinite(roll.at)) head.append(srOnly(' at '), timeOf(roll.at));
  head.append(srOnly(': '));

  const body = el('div', 'roll-body');
  if (roll.hidden && !Number.isFinite(roll.total)) {
    // A DM's secret roll: nobody but the DM gets its dice until it is revealed.
    li.classList.add('hidden-roll');
    const secret = el('span', 'roll-secret', 'rolled in secret');
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
  if (dm && roll.hidden && !Number.isFinite(roll.revealedAt)) {
    const reveal = button('Reveal', 'btn-primary', 'reveal', 'reveal');
    reveal.setAttribute('aria-label', `Reveal ${roll.formula} (${roll.total}) to everyone`);
    foot.append(reveal);
  }
  if (isPublic(roll)) {
    const copy = button('Copy link', 'btn-ghost btn-link', 'copy-link', 'copy-link');
    copy.setAttribute('aria-label', `Copy a link to ${roll.name}'s roll of ${roll.formula}`);
    foot.append(copy);
  }
  li.append(head, body);
  if (foot.childElementCount) li.append(foot);
  return li;
}

/** The dice of every term, dropped ones struck through, exploded ones marked. */
function diceOf(roll) {
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

/** `2:05`, `0:09`: a countdown for banners. */
export function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

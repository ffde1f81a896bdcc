// The dice room's pieces that do not touch the socket: the formula, the roll cards, the player list.
// Everything a player typed (names) goes in through textContent only.

export const SIDES = Object.freeze([4, 6, 8, 10, 12, 20, 100]);
export const COUNT = Object.freeze({ min: 1, max: 100, initial: 1 });
export const MODIFIER = Object.freeze({ min: -100, max: 100, initial: 0 });

/** `2d20+3`, `1d6`, `3d8-1`: the notation the server accepts (protocol.md, dice room actions). */
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

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function srOnly(text) {
  return el('span', 'sr-only', text);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * One roll as a feed entry. Read aloud (the feed is a live region) it says
 * "Alice rolled 2d20+3: 14, 7, plus 3. Total 24".
 */
export function rollItem(roll, myId) {
  const li = el('li', 'roll');
  li.dataset.testid = 'roll-entry';
  li.dataset.rollId = roll.id;
  li.dataset.total = String(roll.total);
  if (roll.player === myId) li.classList.add('mine');

  const head = el('div', 'roll-head');
  head.append(el('span', 'roll-who', roll.name), srOnly(' rolled '), el('span', 'roll-formula', roll.formula));
  if (Number.isFinite(roll.at)) {
    const when = new Date(roll.at);
    const time = el('time', 'roll-time', timeFormat.format(when));
    time.dateTime = when.toISOString();
    head.append(srOnly(' at '), time);
  }
  head.append(srOnly(': '));

  const body = el('div', 'roll-body');
  if (roll.hidden && !Number.isFinite(roll.total)) {
    // A DM's secret roll: nobody but the DM gets its dice until it is revealed.
    li.classList.add('hidden-roll');
    body.append(el('span', 'roll-secret', 'rolled in secret'));
    li.append(head, body);
    return li;
  }
  if (roll.hidden) li.classList.add(roll.revealedAt ? 'revealed-roll' : 'hidden-roll');
  const dice = el('span', 'roll-dice');
  const terms = Array.isArray(roll.terms) ? roll.terms : [];
  terms.forEach((term, t) => {
    if (t > 0 || term.sign < 0) dice.append(el('span', 'roll-sign', term.sign < 0 ? '−' : '+'));
    (term.dice || []).forEach((die, i) => {
      const d = el('span', `die-face d${term.sides}`, String(die.value));
      d.dataset.testid = 'die-value';
      if (!die.kept) {
        d.classList.add('dropped');
        d.title = 'dropped';
      }
      if (die.exploded) d.classList.add('exploded');
      if (die.value === term.sides) d.classList.add('max');
      else if (die.value === 1 && term.sides > 2) d.classList.add('min');
      dice.append(d);
      if (!die.kept) dice.append(srOnly(' (dropped)'));
      if (i < term.dice.length - 1) dice.append(srOnly(', '));
    });
  });
  body.append(dice);
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
  if (Number.isFinite(roll.dc)) {
    const check = el('span', `roll-dc ${roll.passed ? 'pass' : 'fail'}`, `DC ${roll.dc}: ${roll.passed ? 'pass' : 'fail'}`);
    check.dataset.testid = 'roll-dc';
    body.append(check);
  }

  li.append(head, body);
  return li;
}

/** The player list: one <li> per player, you and the admin marked in words, not colour alone. */
export function playerItem(player, { me, admin }) {
  const li = el('li', 'player');
  li.dataset.playerId = player.id;
  li.append(el('span', 'player-name', player.name));
  if (player.id === admin) {
    li.classList.add('admin');
    li.append(el('span', 'badge badge-admin', 'admin'));
  }
  if (player.id === me) {
    li.classList.add('me');
    li.append(el('span', 'badge badge-me', 'you'));
  }
  return li;
}

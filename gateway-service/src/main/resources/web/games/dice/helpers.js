// The dice room's pure UI helpers (no DOM, no SDK), so node tests them without a browser: what the die picker
// writes, which formulas get the advantage toggle, numbers from inputs, the banners' clock.

export const SIDES = Object.freeze([4, 6, 8, 10, 12, 20, 100]);
export const COUNT = Object.freeze({ min: 1, max: 100, initial: 1 });
export const MODIFIER = Object.freeze({ min: -100, max: 100, initial: 0 });

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

/** `2:05`, `0:09`: a countdown for banners. */
export function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The picker's model from a typed formula: `{count, sides, modifier}` when the picker can show it (`2d8+1`, `d20`,
 * `1d6 - 2`), else null (anything richer: the picker then shows no die, and the field is the formula). The picker
 * and the field are two views of one formula: neither appends to the other.
 */
export function pickOf(text) {
  const m = /^\s*(\d{0,3})\s*d\s*(\d{1,3})\s*(?:([+-])\s*(\d{1,3}))?\s*$/i.exec(String(text));
  if (!m) return null;
  const count = m[1] === '' ? 1 : Number(m[1]);
  const sides = Number(m[2]);
  const modifier = m[3] ? Number(`${m[3]}${m[4]}`) : 0;
  if (!SIDES.includes(sides) || count < COUNT.min || count > COUNT.max) return null;
  if (modifier < MODIFIER.min || modifier > MODIFIER.max) return null;
  return { count, sides, modifier };
}

const ADVANTAGE_WORDS = { advantage: 'with advantage', disadvantage: 'with disadvantage' };

/** What was rolled, in words: `1d20+5 with advantage`, `2d6`. */
export function rollWords(roll) {
  const formula = roll.formula || '';
  const adv = ADVANTAGE_WORDS[roll.advantage];
  return adv ? `${formula} ${adv}` : formula;
}

/** Who sees a roll, as a short badge (null for a public roll). */
export const MODE_BADGE = Object.freeze({ dm: 'to the DM', self: 'only the roller', secret: 'secret' });

/** The roll button's words for a formula, an advantage and a mode: `Roll 1d20 with advantage to the DM`. */
export function rollButtonWords(formulaText, advantage, mode) {
  const what = rollWords({ formula: formulaText || '…', advantage });
  const to = { dm: ' to the DM', self: ' for yourself', secret: ' in secret' }[mode] || '';
  return `${what}${to}`;
}

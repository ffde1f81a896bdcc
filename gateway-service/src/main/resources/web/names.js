// The display-name rule (docs/protocol.md, HTTP: common's DisplayNames), checked in the browser before a name is
// sent, so a refused name costs no round trip. The server stays the judge: this module only mirrors its rule, and
// e2e/names.test.mjs holds it to the same cases (common/src/test/resources/display-names.json). One small module,
// so a change of the server's rule is one change here.

export const MAX_LENGTH = 20;
export const RULE = `1 to ${MAX_LENGTH} letters, digits, spaces, hyphens and apostrophes`;

const ALLOWED = /^[\p{L}\p{M}\p{N} '\u2019-]+$/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

// Default-ignorable code points that \p{L} or \p{M} would let through (the Hangul fillers, variation selectors…):
// a name holding one could pass for another. The same list as the server's.
const INVISIBLE = [[0x034F, 0x034F], [0x115F, 0x1160], [0x17B4, 0x17B5], [0x180B, 0x180F], [0x3164, 0x3164],
  [0xFE00, 0xFE0F], [0xFFA0, 0xFFA0], [0xE0000, 0xE0FFF], [0x1BCA0, 0x1BCA3], [0x1D173, 0x1D17A], [0x00AD, 0x00AD],
  [0x061C, 0x061C], [0x200B, 0x200F], [0x202A, 0x202E], [0x2060, 0x206F], [0xFEFF, 0xFEFF], [0xFFF0, 0xFFF8]];

// The scripts a letter is told apart by (a letter of any other script counts as one script of its own kind).
const SCRIPTS = ['Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari',
  'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao',
  'Tibetan', 'Myanmar', 'Georgian', 'Hangul', 'Ethiopic', 'Cherokee', 'Khmer', 'Mongolian', 'Hiragana', 'Katakana',
  'Bopomofo', 'Han'].map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')]);
const NO_SCRIPT = /[\p{Script=Common}\p{Script=Inherited}\p{Script=Unknown}]/u;

function invisible(cp) {
  return INVISIBLE.some(([from, to]) => cp >= from && cp <= to);
}

/** Whether the letters come from more than one script, beyond the mixes a language writes with (as the server). */
function mixesScripts(name) {
  const scripts = new Set();
  for (const ch of name) {
    if (NO_SCRIPT.test(ch)) continue;
    const found = SCRIPTS.find(([, re]) => re.test(ch));
    scripts.add(found ? found[0] : 'Other');
  }
  if (scripts.size <= 1) return false;
  scripts.delete('Han');
  const rest = [...scripts];
  return !(rest.length === 0
    || rest.every((s) => s === 'Hiragana' || s === 'Katakana')
    || (rest.length === 1 && (rest[0] === 'Hangul' || rest[0] === 'Bopomofo')));
}

/** NFC, outer white space stripped, inner runs of spaces folded to one (as the server normalises). */
export function normalizeName(raw) {
  return String(raw ?? '').normalize('NFC').trim().replace(/ {2,}/g, ' ');
}

/**
 * What is wrong with `raw` as a name, in words a player can act on; null when it is a good name.
 * @param {string} raw
 * @returns {string|null}
 */
export function nameProblem(raw) {
  const name = normalizeName(raw);
  if (!name) return 'Enter a name.';
  if ([...name].length > MAX_LENGTH) return `A name has at most ${MAX_LENGTH} characters.`;
  if ([...name].some((ch) => invisible(ch.codePointAt(0)))) return 'A name may not hold invisible characters.';
  if (!ALLOWED.test(name)) return 'A name may hold only letters, digits, spaces, hyphens and apostrophes.';
  if (mixesScripts(name)) return "A name's letters must come from one alphabet (no Cyrillic or Greek letter among Latin ones).";
  if (!LETTER_OR_DIGIT.test(name)) return 'A name needs at least one letter or digit.';
  return null;
}

// The browser's display-name check (web/names.js) against the server rule's own cases
// (common/src/test/resources/display-names.json, which DisplayNamesTest reads too): no browser needed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import test from 'node:test';

const web = new URL('../gateway-service/src/main/resources/web/', import.meta.url);
const { nameProblem, normalizeName } = await import(new URL('names.js', web));
const cases = JSON.parse(await readFile(new URL('../common/src/test/resources/display-names.json', import.meta.url), 'utf8'));

test('every name the server accepts passes, normalised as the server does', () => {
  assert.ok(Object.keys(cases.accepted).length >= 5);
  for (const [raw, normalised] of Object.entries(cases.accepted)) {
    assert.equal(nameProblem(raw), null, `${JSON.stringify(raw)} should be accepted`);
    assert.equal(normalizeName(raw), normalised, `${JSON.stringify(raw)} normalised`);
  }
});

test('every name the server refuses is refused, with a reason in words', () => {
  assert.ok(cases.refused.length >= 5);
  for (const raw of cases.refused) {
    const problem = nameProblem(raw);
    assert.equal(typeof problem, 'string', `${JSON.stringify(raw)} should be refused`);
    assert.doesNotMatch(problem, /[A-Z]{3,}_/, 'no raw codes');
  }
});

test('hyphens and apostrophes are fine, a name without a letter is not', () => {
  assert.equal(nameProblem('Ana-Maria'), null);
  assert.equal(nameProblem("O'Neil"), null);
  assert.match(nameProblem("-'-"), /letter or digit/);
  assert.match(nameProblem('Ada!'), /only letters/);
});

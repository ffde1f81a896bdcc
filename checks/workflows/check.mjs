#!/usr/bin/env node
// Offline checks of the GitHub Actions workflows (.github/workflows/*.yml, *.yaml). Run from anywhere:
//
//   node checks/workflows/check.mjs              every workflow, then the self-test
//   node checks/workflows/check.mjs FILE...      only these files, then the self-test
//   node checks/workflows/check.mjs --selftest   only the self-test
//
// Needs the npm packages of checks/ (npm ci --prefix checks; ./run-tests.sh installs them). Per workflow:
//   schema       the workflow schema, by the installed validator checks/node_modules/.bin/action-validator;
//   pin          every `uses:` of a non-local action (steps and reusable workflows) is pinned to a full 40-hex
//                commit SHA and carries the version in a comment (`uses: actions/checkout@<sha> # v6.0.1`);
//                a docker:// action is pinned by @sha256 digest; local actions (./...) are exempt;
//   permissions  a top-level `permissions:` block, or one on every job (least privilege: no implicit token scopes);
//   latest       no `latest` image tag anywhere in the workflow's values (`image:latest`, docker://...:latest), and
//                no container/service image without a tag or digest (which means latest). Comments are not
//                values, so a comment may say "never latest".
// The self-test always runs: checks/workflows/fixtures/bad.yml breaks every rule, and the checker must report
// each of them (a checker that passes everything fails here). It counts as one more entry in the total.
// Prints one line per workflow (ok/FAIL, then the findings) and `N passed, N failed`; exits 1 on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');
const VALIDATOR = path.join(ROOT, 'checks', 'node_modules', '.bin', 'action-validator');
const FIXTURE = path.join(ROOT, 'checks', 'workflows', 'fixtures', 'bad.yml');
const SELFTEST_RULES = ['schema', 'pin', 'permissions', 'latest'];

// Permission scopes GitHub accepts that the validator's bundled schema predates (it reports them as "Additional
// property"); the checker accepts them on a permissions block and checks their level itself.
const SCHEMA_GAPS = new Set(['attestations', 'models']);
const GAP_ERROR = /^\/(?:jobs\/[^/]+\/)?permissions$/;

const SHA = /^[0-9a-f]{40}$/;
const DIGEST = /@sha256:[0-9a-f]{64}$/;
// An image reference ending in :latest (registry host:port and path allowed), inside any string value.
const LATEST = /([a-z0-9][a-z0-9._\/-]*(?::\d+\/[a-z0-9._\/-]+)?):latest(?![\w.-])/i;

const rel = (file) => path.relative(ROOT, file) || file;

// The validator prints a JSON report on stderr. Its errors are trees (oneOf/anyOf over alternative schemas,
// e.g. a job is either a normal job or a reusable-workflow call): keep the branch with the fewest problems, which
// is the one the author meant, and report its leaves.
function leaves(error) {
  if (Array.isArray(error.states) && error.states.length > 0) {
    let best = null;
    for (const state of error.states) {
      const found = (state.errors ?? []).flatMap(leaves);
      if (best === null || found.length < best.length) best = found;
    }
    if (best.length > 0) return best;
  }
  return [error];
}

function schemaFindings(file) {
  if (!existsSync(VALIDATOR)) {
    return [`${rel(VALIDATOR)} is missing: run npm ci --prefix checks`];
  }
  const run = spawnSync(VALIDATOR, [file], { cwd: ROOT, encoding: 'utf8' });
  if (run.error) return [`action-validator did not run: ${run.error.message}`];
  if (run.status === 0) return [];
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
  let report;
  try {
    report = JSON.parse(output.slice(output.indexOf('{')));
  } catch {
    return [`action-validator failed (exit ${run.status}): ${output.split('\n').slice(0, 3).join(' ') || 'no output'}`];
  }
  const all = (report.errors ?? []).flatMap(leaves);
  const real = all.filter((e) => {
    const gap = /^Additional property '([^']+)' is not allowed$/.exec(e.detail ?? '');
    return !(gap && SCHEMA_GAPS.has(gap[1]) && GAP_ERROR.test(e.path ?? ''));
  });
  if (all.length > 0 && real.length === 0) return [];
  const unique = [...new Set(real.map((e) => `${e.path || '/'}: ${e.detail ?? e.title ?? e.code}`))];
  if (unique.length === 0) unique.push(`action-validator failed (exit ${run.status})`);
  return unique.length > 6 ? [...unique.slice(0, 6), `... and ${unique.length - 6} more`] : unique;
}

function pinFinding(where, node) {
  const uses = isScalar(node) ? String(node.value ?? '') : '';
  if (uses.startsWith('./') || uses.startsWith('../')) return null;
  if (uses.startsWith('docker://')) {
    return DIGEST.test(uses) ? null : `${where}: ${uses} is not pinned by @sha256 digest`;
  }
  const at = uses.lastIndexOf('@');
  if (at < 0 || !SHA.test(uses.slice(at + 1))) {
    return `${where}: ${uses || '(empty)'} is not pinned to a full commit SHA`;
  }
  const comment = (node.comment ?? '').trim();
  if (!/\d/.test(comment)) {
    return `${where}: ${uses} has no version comment (# vX.Y.Z)`;
  }
  return null;
}

function imageWithoutTag(image) {
  // name[:tag][@digest]; the last path component holds the tag (a registry host may have a :port).
  if (typeof image !== 'string' || image.includes('${{')) return false;
  if (image.includes('@sha256:')) return false;
  const last = image.slice(image.lastIndexOf('/') + 1);
  return !last.includes(':');
}

function checkWorkflow(file) {
  const problems = [];
  const add = (rule, message) => problems.push({ rule, message });

  for (const message of schemaFindings(file)) add('schema', message);

  let doc;
  try {
    doc = parseDocument(readFileSync(file, 'utf8'));
  } catch (e) {
    add('schema', `cannot read: ${e.message}`);
    return problems;
  }
  if (doc.errors.length > 0) {
    for (const e of doc.errors) add('schema', `YAML: ${e.message.split('\n')[0]}`);
    return problems;
  }
  const top = doc.contents;
  if (!isMap(top)) {
    add('schema', 'not a YAML mapping');
    return problems;
  }
  const jobs = top.get('jobs', true);
  const jobPairs = isMap(jobs) ? jobs.items : [];

  // pin
  for (const job of jobPairs) {
    const id = String(job.key?.value ?? job.key);
    if (!isMap(job.value)) continue;
    if (job.value.has('uses')) {
      const finding = pinFinding(`jobs.${id}`, job.value.get('uses', true));
      if (finding) add('pin', finding);
    }
    const steps = job.value.get('steps', true);
    if (!isSeq(steps)) continue;
    steps.items.forEach((step, i) => {
      if (isMap(step) && step.has('uses')) {
        const name = step.get('name');
        const finding = pinFinding(`jobs.${id}.steps[${i}]${name ? ` (${name})` : ''}`, step.get('uses', true));
        if (finding) add('pin', finding);
      }
    });
  }

  // permissions (and the level of the scopes the schema does not know)
  const blocks = [['permissions', top.get('permissions', true)]];
  for (const job of jobPairs) {
    if (isMap(job.value)) blocks.push([`jobs.${job.key?.value ?? job.key}.permissions`, job.value.get('permissions', true)]);
  }
  for (const [where, block] of blocks) {
    if (!isMap(block)) continue;
    for (const scope of block.items) {
      const name = String(scope.key?.value ?? scope.key);
      const level = isScalar(scope.value) ? scope.value.value : undefined;
      if (SCHEMA_GAPS.has(name) && !['read', 'write', 'none'].includes(level)) {
        add('schema', `${where}.${name}: ${level} is not read, write or none`);
      }
    }
  }
  if (!top.has('permissions')) {
    const without = jobPairs
      .filter((job) => !(isMap(job.value) && job.value.has('permissions')))
      .map((job) => String(job.key?.value ?? job.key));
    if (jobPairs.length === 0 || without.length > 0) {
      add('permissions', `no top-level permissions and none on job(s): ${without.join(', ') || '(no jobs)'}`);
    }
  }

  // latest: every string value (keys and comments are not values)
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.value) && typeof pair.value.value === 'string') {
        const m = LATEST.exec(pair.value.value);
        if (m) add('latest', `${pair.key?.value ?? '?'}: ${m[1]}:latest`);
      }
    },
    Scalar(key, node, ancestors) {
      // sequence items (e.g. `tags: [x:latest]`, multi-line lists); pair values are handled above
      const parent = ancestors[ancestors.length - 1];
      if (isSeq(parent) && typeof node.value === 'string') {
        const m = LATEST.exec(node.value);
        if (m) add('latest', `${m[1]}:latest`);
      }
    },
  });
  for (const job of jobPairs) {
    const id = String(job.key?.value ?? job.key);
    if (!isMap(job.value)) continue;
    const container = job.value.get('container');
    const image = typeof container === 'string' ? container : isMap(container) ? container.get('image') : undefined;
    if (image !== undefined && imageWithoutTag(image)) add('latest', `jobs.${id}.container: ${image} has no tag (= latest)`);
    const services = job.value.get('services', true);
    if (isMap(services)) {
      for (const svc of services.items) {
        const svcImage = isMap(svc.value) ? svc.value.get('image') : undefined;
        if (svcImage !== undefined && imageWithoutTag(svcImage)) {
          add('latest', `jobs.${id}.services.${svc.key?.value ?? svc.key}: ${svcImage} has no tag (= latest)`);
        }
      }
    }
  }
  return problems;
}

function report(label, problems) {
  if (problems.length === 0) {
    console.log(`ok   ${label}`);
    return true;
  }
  console.log(`FAIL ${label}`);
  for (const p of problems) console.log(`       [${p.rule}] ${p.message}`);
  return false;
}

function selftest() {
  if (!existsSync(FIXTURE)) {
    return report(`selftest: ${rel(FIXTURE)}`, [{ rule: 'selftest', message: 'fixture missing' }]);
  }
  const problems = checkWorkflow(FIXTURE);
  const seen = new Set(problems.map((p) => p.rule));
  const missed = SELFTEST_RULES.filter((rule) => !seen.has(rule));
  if (missed.length === 0) {
    console.log(`ok   selftest: ${rel(FIXTURE)} rejected for ${SELFTEST_RULES.join(', ')} (${problems.length} findings)`);
    return true;
  }
  return report(`selftest: ${rel(FIXTURE)}`, [
    { rule: 'selftest', message: `the checker did not report: ${missed.join(', ')}` },
    ...problems,
  ]);
}

function main(argv) {
  const onlySelftest = argv.includes('--selftest');
  const unknown = argv.filter((a) => a.startsWith('-') && a !== '--selftest');
  if (unknown.length > 0) {
    console.error(`unknown option(s): ${unknown.join(' ')}\nusage: node checks/workflows/check.mjs [--selftest] [FILE...]`);
    return 2;
  }
  let files = argv.filter((a) => !a.startsWith('-')).map((a) => path.resolve(a));
  if (!onlySelftest && files.length === 0) {
    files = existsSync(WORKFLOWS)
      ? readdirSync(WORKFLOWS)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => path.join(WORKFLOWS, f))
      : [];
    if (files.length === 0) {
      console.log(`FAIL no workflows in ${rel(WORKFLOWS)}`);
      console.log('0 passed, 1 failed');
      return 1;
    }
  }
  let passed = 0;
  let failed = 0;
  for (const file of onlySelftest ? [] : files) {
    const ok = existsSync(file)
      ? report(rel(file), checkWorkflow(file))
      : report(rel(file), [{ rule: 'schema', message: 'no such file' }]);
    ok ? passed++ : failed++;
  }
  selftest() ? passed++ : failed++;
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));

// The browser client's vendored npm modules are byte-for-byte the files of the npm package at the pinned version.
// gateway-service serves them from its own origin (no CDN, and the Maven build cannot run npm), so they are
// committed under gateway-service/src/main/resources/web/vendor/; e2e/package.json pins the same package and version
// (npm ci --prefix e2e installs it), and this check compares the two by SHA-256, so neither can drift alone.
// Run by scripts/check-static.sh (needs scripts/provision.sh --tests for e2e/node_modules).
import { createHash } from 'node:crypto';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vendor = join(root, 'gateway-service/src/main/resources/web/vendor');
const e2e = join(root, 'e2e');

// Each vendored file: its npm package, the file inside the package it copies, and how its name carries the version.
const VENDORED = [
  { pkg: 'livekit-client', from: 'dist/livekit-client.esm.mjs', to: (v) => `livekit-client-${v}.esm.js` },
  { pkg: 'livekit-client', from: 'LICENSE', to: (v) => `livekit-client-${v}.LICENSE` },
];

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const failures = [];
const pinned = JSON.parse(readFileSync(join(e2e, 'package.json'), 'utf8')).devDependencies ?? {};
const expected = new Set(['README.md']);

for (const { pkg, from, to } of VENDORED) {
  const version = pinned[pkg];
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    failures.push(`e2e/package.json must pin ${pkg} to an exact version (found ${version})`);
    continue;
  }
  const name = to(version);
  expected.add(name);
  const installed = join(e2e, 'node_modules', pkg);
  const installedVersion = existsSync(join(installed, 'package.json'))
    ? JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version : null;
  if (installedVersion !== version) {
    failures.push(`e2e/node_modules/${pkg} is ${installedVersion ?? 'missing'}, not ${version}: run npm ci --prefix e2e`);
    continue;
  }
  const ours = join(vendor, name);
  if (!existsSync(ours)) {
    failures.push(`${name} is missing from web/vendor (copy ${pkg}/${from} of ${version})`);
    continue;
  }
  const want = sha256(join(installed, from));
  const have = sha256(ours);
  if (want !== have) {
    failures.push(`web/vendor/${name} (sha256 ${have}) is not ${pkg}@${version}/${from} (sha256 ${want})`);
  } else {
    console.log(`ok  web/vendor/${name} = ${pkg}@${version}/${from}  sha256 ${have}`);
  }
}
for (const file of readdirSync(vendor)) {
  if (!expected.has(file)) {
    failures.push(`web/vendor/${file} is not a known vendored file (stale version?)`);
  }
}
// The client must import the vendored version that is pinned, not another.
const voice = readFileSync(join(root, 'gateway-service/src/main/resources/web/voice.js'), 'utf8');
const imported = [...voice.matchAll(/'\.\/vendor\/([^']+)'/g)].map((m) => m[1]);
for (const name of imported) {
  if (!expected.has(name)) {
    failures.push(`voice.js imports vendor/${name}, which is not the pinned version`);
  }
}
if (imported.length === 0) {
  failures.push('voice.js imports nothing from ./vendor/');
}
if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}

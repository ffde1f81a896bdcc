#!/usr/bin/env node
// Self-test of checks/podman/check.mjs's bus rules: the repository's files pass, and the broken fixture
// (checks/podman/fixtures/broken: an open NATS and services without TLS or credentials, in compose, Quadlet, kube
// YAML and systemd units) fails with every problem planted there.
//
//   node checks/podman/selftest.mjs      one line per assertion, then "N passed, N failed"; exit 1 on failure
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const BROKEN = "checks/podman/fixtures/broken";
let passed = 0;
let failed = 0;
function assert(name, ok, detail) {
  if (ok) { passed++; console.log(`ok   ${name}`); } else { failed++; console.log(`FAIL ${name}\n     ${String(detail ?? "").trim().split("\n").join("\n     ")}`); }
}
const run = (args) => new Promise((resolve) => execFile(process.execPath, [path.join(HERE, "check.mjs"), ...args],
  { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => resolve({ status: error ? error.code : 0, out: stdout + stderr })));

const [real, broken] = await Promise.all([run([]), run(["--fixture", BROKEN])]);
assert("the repository's podman and compose files pass", real.status === 0, real.out);
assert("broken fixture: exit 1", broken.status === 1, broken.out);
for (const [name, text] of [
  ["NATS config without client TLS", "nats.conf: no tls block with cert_file and key_file"],
  ["NATS config without the table's accounts", "nats.conf: no accounts (include ./accounts.conf"],
  ["NATS config with no_auth_user", "nats.conf: sets no_auth_user"],
  ["compose: NATS without a config", "compose.yaml nats: NATS runs without a config file"],
  ["compose: service on plain nats://", "compose.yaml gateway: NATS_URL nats://nats:4222 is not tls://"],
  ["compose: service without the CA", "compose.yaml gateway: no NATS_TLS_CA"],
  ["compose: service without credentials", "compose.yaml gateway: no bus credentials"],
  ["Quadlet: NATS without a config", "quadlet/rf-nats.container: NATS runs without a config file"],
  ["Quadlet: a seed on no volume", "quadlet/rf-auth.container: NATS_NKEY_FILE /etc/rune-forge/bus/nkey is on no mounted volume"],
  ["kube YAML: service without the CA", "kube.yaml Pod/rf-game-1 app: no NATS_TLS_CA"],
  ["kube YAML: service without credentials", "kube.yaml Pod/rf-game-1 app: no bus credentials"],
  ["systemd: NATS without its config", "systemd/container-rf-nats-app.service: NATS without its config"],
  ["systemd: service on plain nats://", "systemd/container-rf-persistence-app.service: NATS_URL nats://rf-nats:4222 is not tls://"],
  ["systemd: service without credentials", "systemd/container-rf-persistence-app.service: no bus credentials"],
]) {
  assert(`broken fixture: ${name}`, broken.out.includes(`${BROKEN}/${text}`), broken.out);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

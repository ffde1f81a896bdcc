#!/usr/bin/env node
// Self-test of checks/k8s/check.mjs: it must pass the real overlays, pass a clean fixture, and fail the broken
// fixture with every problem planted there (checks/k8s/fixtures/broken). Also: the Secret rule on throwaway
// overlays, a kustomize error, and a missing kubectl. Offline; a few seconds.
//
//   node checks/k8s/selftest.mjs          prints one line per assertion, then "N passed, N failed"; exit 1 on failure

import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const CHECK = path.join(HERE, "check.mjs");
const BROKEN = "checks/k8s/fixtures/broken";
const GOOD = "checks/k8s/fixtures/good";

let passed = 0;
let failed = 0;
function assert(name, ok, detail) {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail ? `\n     ${String(detail).trim().split("\n").join("\n     ")}` : ""}`);
  }
}

function runCheck(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHECK, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }));
  });
}
const lines = (r) => r.stdout.split("\n").filter(Boolean);
const show = (r) => `exit ${r.status}\n${r.stdout}${r.stderr}`;

// Throwaway overlays for the Secret rule and a kustomize failure.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rf-k8s-selftest-"));
const write = (rel, text) => {
  fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
  fs.writeFileSync(path.join(tmp, rel), text);
};
write("secrets/dev/kustomization.yaml", `
namespace: t
resources: [committed-secret.yaml]
secretGenerator:
  - name: dev-generated
    literals: [DB_PASSWORD=dev-only]
`);
write("secrets/dev/committed-secret.yaml", `
apiVersion: v1
kind: Secret
metadata: {name: committed-secret}
stringData: {password: hunter2}
`);
write("secrets/staging/kustomization.yaml", `
namespace: t
secretGenerator:
  - name: staging-generated
    literals: [DB_PASSWORD=not-in-staging]
`);
write("unbuildable/dev/kustomization.yaml", "resources: [does-not-exist.yaml]\n");

try {
  const [real, broken, good, secrets, unbuildable, noKubectl] = await Promise.all([
    runCheck([]),
    runCheck(["--fixture", BROKEN]),
    runCheck(["--fixture", GOOD]),
    runCheck(["--overlays", path.join(tmp, "secrets")]),
    runCheck(["--overlays", path.join(tmp, "unbuildable")]),
    runCheck([], { KUBECTL: path.join(tmp, "no-such-kubectl") }),
  ]);

  // The real overlays.
  assert("real overlays: exit 0", real.status === 0, show(real));
  for (const overlay of ["dev", "staging", "prod"]) {
    assert(`real overlays: ${overlay} rendered and clean`,
      lines(real).some((l) => new RegExp(`^${overlay}: \\d+ objects \\(.*\\).* -- ok$`).test(l)), show(real));
  }
  assert("real overlays: final line ok", /^k8s check: ok \(\d+ objects\)$/.test(lines(real).at(-1) ?? ""), show(real));

  // The broken fixture: every planted problem, each as `<fixture> <Kind>/<name> [container]: <problem>`.
  assert("broken fixture: exit 1", broken.status === 1, show(broken));
  const expected = [
    ["schema error (string for an integer)", "Deployment/broken-app: schema: /spec/replicas must be integer"],
    ["schema error in a container port", "Deployment/broken-app: schema: /spec/template/spec/containers/0/ports/0/containerPort must be integer"],
    ["unknown kind", 'Deploymnet/typo: unknown apiVersion/kind "apps/v1" "Deploymnet"'],
    ["YAML syntax error", "yaml-error.yaml: YAML error:"],
    ["missing liveness probe", "Deployment/broken-app app: no livenessProbe"],
    ["missing readiness probe", "Deployment/broken-app app: no readinessProbe"],
    ["Rune Forge service without startup probe", "Deployment/broken-app rf: no startupProbe"],
    ["Rune Forge readiness path", "Deployment/broken-app rf: readinessProbe must be httpGet /ready"],
    ["missing limits and memory request", "Deployment/broken-app app: resources missing requests.memory, limits.cpu, limits.memory"],
    ["init container without resources", "CronJob/broken-cron migrate: resources missing requests.cpu, requests.memory, limits.cpu, limits.memory"],
    ["runAsNonRoot missing", "Deployment/broken-app app: runAsNonRoot is not true"],
    ["running as root", "Deployment/broken-app app: runs as user 0 (root)"],
    ["root filesystem writable", "Deployment/broken-app app: readOnlyRootFilesystem is not true"],
    ["root filesystem writable (CronJob)", "CronJob/broken-cron job: readOnlyRootFilesystem is not true"],
    ["privilege escalation allowed", "Deployment/broken-app app: allowPrivilegeEscalation is not false"],
    ["capabilities not dropped", "Deployment/broken-app app: capabilities do not drop ALL"],
    ["capability added", "Deployment/broken-app rf: adds capabilities NET_ADMIN"],
    ["privileged", "Deployment/broken-app rf: privileged container"],
    ["seccomp unset", "Deployment/broken-app app: seccompProfile is unset"],
    ["seccomp Unconfined", "Deployment/broken-app rf: seccompProfile is Unconfined"],
    ["hostNetwork", "Deployment/broken-app: hostNetwork is true"],
    ["image :latest", "Deployment/broken-app app: image foo:latest uses the tag latest"],
    ["image without tag", "Deployment/broken-app rf: image ghcr.io/rune-forge/gateway-service has no tag"],
    ["init container image without tag", "CronJob/broken-cron migrate: image busybox has no tag"],
    ["inline secret env value", "Deployment/broken-app app: env DB_PASSWORD has an inline value"],
    ["committed Secret", "Secret/broken-secret: Secret in the manifests"],
    ["secret-looking ConfigMap key", "ConfigMap/broken-config: ConfigMap key API_TOKEN looks like a secret"],
    ["replicas fighting an HPA", "Deployment/broken-app: sets spec.replicas while HorizontalPodAutoscaler/broken-app manages it"],
    ["HPA target missing", "HorizontalPodAutoscaler/broken-missing-target: scaleTargetRef Deployment/does-not-exist does not exist"],
    ["Service selecting nothing", "Service/broken-service: selector matches no pod template"],
    ["missing ConfigMap", "CronJob/broken-cron: envFrom ConfigMap missing-config does not exist"],
    // The bus (docs/security.md): TLS and credentials on both ends.
    ["NATS without client TLS", "StatefulSet/broken-nats nats: NATS config has no tls block with cert_file and key_file"],
    ["NATS without users", "StatefulSet/broken-nats nats: NATS config has no users (accounts or authorization)"],
    ["NATS with no_auth_user", "StatefulSet/broken-nats nats: NATS config sets no_auth_user"],
    ["NATS routes without mutual TLS", "StatefulSet/broken-nats nats: NATS cluster routes without mutual TLS"],
    ["NATS without a config file", "StatefulSet/broken-nats bare-nats: NATS runs without a config file"],
    ["service on plain nats://", "Deployment/broken-bus-client open: NATS_URL nats://broken-nats:4222 is not tls://"],
    ["service without the bus CA", "Deployment/broken-bus-client open: no NATS_TLS_CA"],
    ["service without bus credentials", "Deployment/broken-bus-client open: no bus credentials"],
    ["service with its seed outside a Secret", "Deployment/broken-bus-client seed-in-configmap-volume: NATS_NKEY_FILE /etc/bus/nkey is not a file of a mounted Secret"],
    ["service without NATS_URL", "Deployment/broken-app rf: no NATS_URL"],
  ];
  for (const [name, text] of expected) {
    assert(`broken fixture: ${name}`, lines(broken).some((l) => l.startsWith(`${BROKEN} ${text}`)), show(broken));
  }
  const unexpected = [
    ["no probes demanded of a plain init container", "CronJob/broken-cron migrate: no livenessProbe"],
    ["no startup probe demanded of a non-Rune Forge image", "Deployment/broken-app app: no startupProbe"],
    ["LOG_LEVEL is not secret-looking", "ConfigMap/broken-config: ConfigMap key LOG_LEVEL"],
    ["a seed file's path is no secret", "Deployment/broken-bus-client seed-in-configmap-volume: env NATS_NKEY_FILE has an inline value"],
  ];
  for (const [name, text] of unexpected) {
    assert(`broken fixture: ${name}`, !lines(broken).some((l) => l.startsWith(`${BROKEN} ${text}`)), show(broken));
  }
  const problemLines = lines(broken).filter((l) => l.startsWith(`${BROKEN} `)).length;
  const summary = lines(broken).find((l) => l.startsWith(`${BROKEN}: `)) ?? "";
  assert("broken fixture: summary counts every problem line", summary.endsWith(` -- ${problemLines} problems`), show(broken));

  // The clean fixture.
  assert("good fixture: exit 0", good.status === 0, show(good));
  assert("good fixture: lists the Secret the operator provides", /operator provides Secrets: good-secret -- ok$/.test(lines(good)[0] ?? ""), show(good));

  // The Secret rule: dev may generate, nobody may commit, other overlays may not generate.
  assert("secret rule: exit 1", secrets.status === 1, show(secrets));
  assert("secret rule: committed Secret in dev is refused",
    lines(secrets).some((l) => l.startsWith("dev Secret/committed-secret: Secret in the manifests")), show(secrets));
  assert("secret rule: Secret from dev's secretGenerator is allowed",
    lines(secrets).some((l) => /^dev: .*Secret 2/.test(l)) && !lines(secrets).some((l) => l.startsWith("dev Secret/dev-generated-")), show(secrets));
  assert("secret rule: secretGenerator in staging is refused",
    lines(secrets).some((l) => /^staging Secret\/staging-generated-[a-z0-9]{10}: Secret in the manifests/.test(l)), show(secrets));

  // Failures to render or to run.
  assert("kustomize error: reported as a problem, exit 1",
    unbuildable.status === 1 && lines(unbuildable).some((l) => l.startsWith("dev kustomization: kubectl kustomize failed")), show(unbuildable));
  assert("missing kubectl: exit 2 with a clear message",
    noKubectl.status === 2 && /kubectl not found/.test(noKubectl.stderr), show(noKubectl));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

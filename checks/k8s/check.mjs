#!/usr/bin/env node
// Offline checks for the Kubernetes manifests in k8s/ (schemas + policy). No cluster, no network.
//
//   node checks/k8s/check.mjs                      every overlay under k8s/overlays, rendered by `kubectl kustomize`
//   node checks/k8s/check.mjs --overlays <dir>     every overlay under <dir> instead
//   node checks/k8s/check.mjs --fixture <dir>      plain YAML files in <dir> (no kustomize), same checks
//
// Per object: it must parse, have a kubernetes-models class for its apiVersion/kind (an unknown kind is an error),
// and pass that class's validate() (the API's OpenAPI schema: types, required fields, enums; unknown fields are
// NOT detected). Then policy, for every container (init containers included) of every workload (Deployment,
// StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod):
//   - liveness + readiness probes (not on plain init containers, which may not have any); Rune Forge services
//     (images under a .../rune-forge/ repository) also a startup probe, and /health + /ready as their paths
//   - cpu and memory requests and limits
//   - runAsNonRoot (pod or container level) and not user 0; readOnlyRootFilesystem; allowPrivilegeEscalation
//     false; not privileged; capabilities drop ALL and add nothing but NET_BIND_SERVICE; seccomp RuntimeDefault
//     (or Localhost); no hostNetwork/hostPID/hostIPC
//   - an image tag (or digest) that is not `latest`
//   - env vars whose names look secret (PASSWORD|SECRET|TOKEN|KEY, any case) come from a Secret, never an inline
//     value or a ConfigMap; ConfigMap keys must not look secret either. A *_FILE variable whose value is an
//     absolute path names a mounted secret, not a secret, and may be inline
// Secrets: the manifests never carry real secrets. A Secret is allowed only in the overlay named `dev` and only
// when that overlay's own kustomization creates it with a secretGenerator (name = generator name + kustomize's
// hash suffix). Anything else (a committed Secret anywhere, a generator in staging/prod, any Secret in a fixture)
// is a problem. Secrets that workloads or Ingresses reference but the overlay does not create are listed on the
// overlay's line as what the operator must provide.
// The bus (docs/security.md): every Rune Forge service reaches NATS over TLS (NATS_URL tls://, NATS_TLS_CA) as its own
// identity (NATS_NKEY_FILE in a mounted Secret, or NATS_NKEY from a Secret), whether set on the container or in a
// ConfigMap it loads; every NATS server (image nats, rf-nats or nats-server) runs from a config file (in a ConfigMap
// it mounts; includes followed) that requires TLS of clients (a tls block with cert_file and key_file), lets in only
// users (accounts or authorization with users; no no_auth_user), and, when clustered, routes with mutual TLS
// (a tls block with verify: true inside cluster).
// Consistency: Services, PodDisruptionBudgets, NetworkPolicies and ServiceMonitors must select something; an HPA's
// target, an Ingress backend (Service and port), a StatefulSet's serviceName and every non-optional ConfigMap a
// pod uses must exist; a workload managed by an HPA must not also set spec.replicas; in overlay mode every
// namespaced object must have a namespace.
//
// Output: one line per overlay (or fixture directory) with object counts, then each problem as
//   <overlay> <Kind>/<name> [<container>]: <problem>
// Exit status: 0 no problems, 1 problems, 2 could not run (kubectl missing, bad arguments).
// kubectl: `kubectl` on PATH, or the KUBECTL environment variable (needs its built-in kustomize, kubectl >= 1.27).

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const KUBECTL = process.env.KUBECTL || "kubectl";

const WORKLOAD_POD_SPEC = {
  Deployment: (o) => o.spec?.template?.spec,
  StatefulSet: (o) => o.spec?.template?.spec,
  DaemonSet: (o) => o.spec?.template?.spec,
  ReplicaSet: (o) => o.spec?.template?.spec,
  ReplicationController: (o) => o.spec?.template?.spec,
  Job: (o) => o.spec?.template?.spec,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template?.spec,
  Pod: (o) => o.spec,
};
const WORKLOAD_POD_LABELS = {
  Deployment: (o) => o.spec?.template?.metadata?.labels,
  StatefulSet: (o) => o.spec?.template?.metadata?.labels,
  DaemonSet: (o) => o.spec?.template?.metadata?.labels,
  ReplicaSet: (o) => o.spec?.template?.metadata?.labels,
  ReplicationController: (o) => o.spec?.template?.metadata?.labels,
  Job: (o) => o.spec?.template?.metadata?.labels,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template?.metadata?.labels,
  Pod: (o) => o.metadata?.labels,
};
const CLUSTER_SCOPED = new Set([
  "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
  "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment",
  "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding", "APIService", "FlowSchema", "PriorityLevelConfiguration",
]);
// Packages holding model classes for API groups outside kubernetes-models itself.
const GROUP_PACKAGES = { "monitoring.coreos.com": "@kubernetes-models/prometheus-operator" };

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEY/i;
// NATS_NKEY_FILE=/etc/rune-forge/bus/nkey: the path of a mounted Secret, which is no secret itself.
const isSecretFilePath = (name, value) => /_FILE$/.test(name) && typeof value === "string" && value.startsWith("/");
const NATS_IMAGE = /(^|\/)(nats|rf-nats|nats-server)$/;
const RUNE_FORGE_IMAGE = /(^|\/)rune-forge\/[^/]+$/;
const ALLOWED_ADDED_CAPABILITIES = new Set(["NET_BIND_SERVICE"]);

// ---------------------------------------------------------------------------------------------------------------

function usage(message) {
  if (message) console.error(`check.mjs: ${message}`);
  console.error("usage: node checks/k8s/check.mjs [--overlays <dir>] | --fixture <dir>");
  process.exit(2);
}

function parseArgs(argv) {
  const args = { mode: "overlays", dir: path.join(ROOT, "k8s", "overlays") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--fixture" || a === "--overlays") {
      const dir = argv[++i];
      if (!dir) usage(`${a} needs a directory`);
      args.mode = a.slice(2) === "fixture" ? "fixture" : "overlays";
      args.dir = path.resolve(dir);
    } else if (a === "-h" || a === "--help") {
      usage();
    } else {
      usage(`unknown argument ${a}`);
    }
  }
  if (!fs.existsSync(args.dir) || !fs.statSync(args.dir).isDirectory()) usage(`not a directory: ${args.dir}`);
  return args;
}

const rel = (p) => path.relative(process.cwd(), p) || ".";

function kustomizationFile(dir) {
  for (const name of ["kustomization.yaml", "kustomization.yml", "Kustomization"]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

function render(overlayDir) {
  const r = spawnSync(KUBECTL, ["kustomize", overlayDir], {
    encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 60_000,
  });
  if (r.error?.code === "ENOENT") {
    console.error(`check.mjs: kubectl not found (tried "${KUBECTL}"). Install kubectl >= 1.27 (it embeds ` +
      "kustomize) or point the KUBECTL environment variable at it.");
    process.exit(2);
  }
  if (r.error) return { error: `kubectl kustomize failed: ${r.error.message}` };
  if (r.status !== 0) return { error: `kubectl kustomize failed: ${(r.stderr || "").trim() || `exit ${r.status}`}` };
  return { text: r.stdout };
}

// Documents of one YAML stream; `List` objects are flattened. Parse errors become problems.
function parseDocuments(text, source, problems) {
  const objects = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length) {
      for (const e of doc.errors) problems.push({ where: source, msg: `YAML error: ${e.message.split("\n")[0]}` });
      continue;
    }
    const value = doc.toJS();
    if (value == null) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      problems.push({ where: source, msg: "document is not a Kubernetes object" });
      continue;
    }
    if (value.kind === "List" && Array.isArray(value.items)) objects.push(...value.items.map((o) => ({ o, source })));
    else objects.push({ o: value, source });
  }
  return objects;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema validation with kubernetes-models.

const modelCache = new Map();

async function modelClass(apiVersion, kind) {
  const key = `${apiVersion} ${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let cls = null;
  const m = /^(?:([a-z0-9.-]+)\/)?(v[0-9a-z]+)$/.exec(apiVersion);
  if (m && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    const [, group, version] = m;
    const spec = !group ? `kubernetes-models/${version}/${kind}`
      : GROUP_PACKAGES[group] ? `${GROUP_PACKAGES[group]}/${group}/${version}/${kind}`
        : `kubernetes-models/${group}/${version}/${kind}`;
    try {
      const mod = await import(spec);
      const c = mod[kind];
      // Only top-level API objects carry apiVersion/kind (kubernetes-models/v1/Container exists, but is no kind).
      if (c && c.apiVersion === apiVersion && c.kind === kind) cls = c;
    } catch (e) {
      if (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
    }
  }
  modelCache.set(key, cls);
  return cls;
}

async function validateSchema(o, report) {
  const Cls = await modelClass(o.apiVersion, o.kind);
  if (!Cls) {
    report(`unknown apiVersion/kind "${o.apiVersion}" "${o.kind}": no kubernetes-models class for it`);
    return;
  }
  try {
    new Cls(o).validate();
  } catch (e) {
    const errors = Array.isArray(e.errors) ? e.errors : null;
    if (!errors) {
      report(`schema: ${e.message}`);
      return;
    }
    const seen = new Set();
    for (const err of errors) {
      const extra = err.params?.allowedValues ? ` (${err.params.allowedValues.join(", ")})`
        : err.params?.missingProperty ? ` (${err.params.missingProperty})` : "";
      const line = `schema: ${err.instancePath || "/"} ${err.message}${extra}`;
      if (!seen.has(line)) {
        seen.add(line);
        report(line);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Policy.

function imageProblem(image) {
  if (!image || typeof image !== "string") return "no image";
  if (image.includes("@")) return null; // pinned by digest
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  if (colon < 0) return `image ${image} has no tag (pin a version)`;
  if (lastSegment.slice(colon + 1) === "latest") return `image ${image} uses the tag latest (pin a version)`;
  return null;
}

function checkContainer(c, podSpec, { init, sidecar }, report) {
  const sc = c.securityContext ?? {};
  const psc = podSpec.securityContext ?? {};
  const runeForge = typeof c.image === "string" && RUNE_FORGE_IMAGE.test(c.image.split("@")[0].replace(/:[^/:]*$/, ""));

  // Probes. Plain init containers run to completion and may not have probes; sidecars (restartPolicy Always) may.
  if (!init || sidecar) {
    if (!c.livenessProbe) report("no livenessProbe");
    if (!c.readinessProbe) report("no readinessProbe");
    if (runeForge) {
      if (!c.startupProbe) report("no startupProbe (required for Rune Forge services)");
      const expect = { livenessProbe: "/health", readinessProbe: "/ready", startupProbe: "/health" };
      for (const [probe, want] of Object.entries(expect)) {
        const got = c[probe]?.httpGet?.path;
        if (c[probe] && got !== want) report(`${probe} must be httpGet ${want} on the admin port (is ${got ?? "not httpGet"})`);
      }
    }
  }

  // Resources.
  const missing = [];
  for (const kind of ["requests", "limits"]) {
    for (const r of ["cpu", "memory"]) if (c.resources?.[kind]?.[r] == null) missing.push(`${kind}.${r}`);
  }
  if (missing.length) report(`resources missing ${missing.join(", ")}`);

  // Security context (container settings override the pod's).
  const runAsNonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  if (runAsNonRoot !== true) report("runAsNonRoot is not true (pod or container securityContext)");
  if (runAsUser === 0) report("runs as user 0 (root)");
  if (sc.readOnlyRootFilesystem !== true) report("readOnlyRootFilesystem is not true");
  if (sc.allowPrivilegeEscalation !== false) report("allowPrivilegeEscalation is not false");
  if (sc.privileged === true) report("privileged container");
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) report("capabilities do not drop ALL");
  const added = (sc.capabilities?.add ?? []).filter((cap) => !ALLOWED_ADDED_CAPABILITIES.has(cap));
  if (added.length) report(`adds capabilities ${added.join(", ")}`);
  const seccomp = (sc.seccompProfile ?? psc.seccompProfile)?.type;
  if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
    report(`seccompProfile is ${seccomp ?? "unset"}, not RuntimeDefault (pod or container securityContext)`);
  }

  // Image.
  const img = imageProblem(c.image);
  if (img) report(img);

  // Secret-looking environment variables.
  for (const e of c.env ?? []) {
    if (!SECRET_NAME.test(e.name ?? "")) continue;
    if (isSecretFilePath(e.name, e.value)) continue;
    if (e.value !== undefined) report(`env ${e.name} has an inline value; take it from a Secret (secretKeyRef/envFrom)`);
    else if (e.valueFrom?.configMapKeyRef) report(`env ${e.name} comes from a ConfigMap; take it from a Secret`);
  }
}

function checkPodSpec(podSpec, report) {
  if (!podSpec || typeof podSpec !== "object") {
    report(null, "no pod spec");
    return;
  }
  for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (podSpec[f] === true) report(null, `${f} is true`);
  const containers = [
    ...(Array.isArray(podSpec.initContainers) ? podSpec.initContainers : []).map((c) => [c, true]),
    ...(Array.isArray(podSpec.containers) ? podSpec.containers : []).map((c) => [c, false]),
  ];
  if (!containers.some(([, init]) => !init)) report(null, "no containers");
  for (const [c, init] of containers) {
    if (!c || typeof c !== "object") continue;
    checkContainer(c, podSpec, { init, sidecar: init && c.restartPolicy === "Always" },
      (msg) => report(c.name ?? "?", msg));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cross-object consistency.

function selectorMatches(selector, labels = {}) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === "In" && !(has && e.values?.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values?.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
const isEmptySelector = (s) => !s || (!Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length);

function crossChecks(objects, report, { overlay }) {
  const ns = (o) => o.metadata?.namespace ?? "";
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const find = (kind, name, namespace) => objects.find((o) => o.kind === kind && o.metadata?.name === name && ns(o) === namespace);
  const pods = objects.filter((o) => WORKLOAD_POD_LABELS[o.kind]).map((o) => ({
    o, namespace: ns(o), labels: WORKLOAD_POD_LABELS[o.kind](o) ?? {}, spec: WORKLOAD_POD_SPEC[o.kind](o) ?? {},
  }));
  const podsMatching = (selector, namespace) => pods.filter((p) => p.namespace === namespace && selectorMatches(selector, p.labels));
  const secretsReferenced = new Set();

  for (const o of objects) {
    const r = (msg) => report(o, null, msg);
    const n = ns(o);
    if (overlay && !CLUSTER_SCOPED.has(o.kind) && !n) r("no metadata.namespace");

    if (o.kind === "Service" && o.spec?.selector && Object.keys(o.spec.selector).length) {
      if (!podsMatching({ matchLabels: o.spec.selector }, n).length) r("selector matches no pod template");
    }
    if (o.kind === "PodDisruptionBudget" && !podsMatching(o.spec?.selector, n).length) r("selector matches no pod template");
    if (o.kind === "NetworkPolicy") {
      if (!isEmptySelector(o.spec?.podSelector) && !podsMatching(o.spec.podSelector, n).length) r("podSelector matches no pod template");
      for (const rule of [...(o.spec?.ingress ?? []).flatMap((x) => x.from ?? []), ...(o.spec?.egress ?? []).flatMap((x) => x.to ?? [])]) {
        if (rule.podSelector && !rule.namespaceSelector && !isEmptySelector(rule.podSelector) && !podsMatching(rule.podSelector, n).length) {
          r(`peer podSelector ${JSON.stringify(rule.podSelector)} matches no pod template`);
        }
      }
    }
    if (o.kind === "ServiceMonitor") {
      const namespaces = o.spec?.namespaceSelector?.matchNames ?? [n];
      const services = byKind("Service").filter((s) => namespaces.includes(ns(s)) && selectorMatches(o.spec?.selector, s.metadata?.labels));
      if (!services.length) r("selector matches no Service");
      for (const ep of o.spec?.endpoints ?? []) {
        if (ep.port && !services.some((s) => (s.spec?.ports ?? []).some((p) => p.name === ep.port))) r(`no selected Service has a port named ${ep.port}`);
      }
    }
    if (o.kind === "HorizontalPodAutoscaler") {
      const t = o.spec?.scaleTargetRef ?? {};
      const target = find(t.kind, t.name, n);
      if (!target) r(`scaleTargetRef ${t.kind}/${t.name} does not exist`);
      else if (target.spec?.replicas != null) {
        report(target, null, `sets spec.replicas while HorizontalPodAutoscaler/${o.metadata?.name} manages it (every apply would reset the count)`);
      }
    }
    if (o.kind === "Ingress") {
      for (const t of o.spec?.tls ?? []) if (t.secretName) secretsReferenced.add(`${n}/${t.secretName}`);
      const backends = [o.spec?.defaultBackend, ...(o.spec?.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((p) => p.backend))];
      for (const b of backends) {
        if (!b?.service) continue;
        const svc = find("Service", b.service.name, n);
        if (!svc) r(`backend Service ${b.service.name} does not exist`);
        else if (!(svc.spec?.ports ?? []).some((p) => (b.service.port?.name != null ? p.name === b.service.port.name : p.port === b.service.port?.number))) {
          r(`backend Service ${b.service.name} has no port ${b.service.port?.name ?? b.service.port?.number}`);
        }
      }
    }
    if (o.kind === "StatefulSet" && o.spec?.serviceName && !find("Service", o.spec.serviceName, n)) {
      r(`serviceName ${o.spec.serviceName} is not a Service here`);
    }
  }

  // The bus: services over TLS with their own credentials; NATS servers requiring both.
  for (const { o, namespace, spec } of pods) {
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      const image = typeof c.image === "string" ? c.image.split("@")[0].replace(/:[^/:]*$/, "") : "";
      const r = (msg) => report(o, c.name ?? "?", msg);
      if (RUNE_FORGE_IMAGE.test(image)) checkBusClient(c, spec, namespace, find, r);
      if (NATS_IMAGE.test(image)) checkNatsServer(c, spec, namespace, find, r);
    }
  }

  // ConfigMaps and Secrets used by pods.
  for (const { o, namespace, spec } of pods) {
    const needConfigMap = (name, optional, what) => {
      if (name && !optional && !find("ConfigMap", name, namespace)) report(o, null, `${what} ConfigMap ${name} does not exist`);
    };
    const needSecret = (name, optional) => {
      if (name && !find("Secret", name, namespace)) secretsReferenced.add(`${namespace}/${name}${optional ? " (optional)" : ""}`);
    };
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const ef of c.envFrom ?? []) {
        needConfigMap(ef.configMapRef?.name, ef.configMapRef?.optional, "envFrom");
        needSecret(ef.secretRef?.name, ef.secretRef?.optional);
      }
      for (const e of c.env ?? []) {
        needConfigMap(e.valueFrom?.configMapKeyRef?.name, e.valueFrom?.configMapKeyRef?.optional, `env ${e.name}:`);
        needSecret(e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.optional);
      }
    }
    for (const v of spec.volumes ?? []) {
      needConfigMap(v.configMap?.name, v.configMap?.optional, `volume ${v.name}:`);
      needSecret(v.secret?.secretName, v.secret?.optional);
      for (const s of v.projected?.sources ?? []) {
        needConfigMap(s.configMap?.name, s.configMap?.optional, `volume ${v.name}:`);
        needSecret(s.secret?.name, s.secret?.optional);
      }
    }
  }
  return [...secretsReferenced].sort();
}

// ---------------------------------------------------------------------------------------------------------------
// The bus.

// A container's environment as the pod gets it: envFrom ConfigMaps (those in the manifests), then env. Values from a
// Secret are marked {secret: name}.
function containerEnv(c, namespace, find) {
  const env = {};
  for (const ef of c.envFrom ?? []) {
    const cm = ef.configMapRef?.name && find("ConfigMap", ef.configMapRef.name, namespace);
    for (const [k, v] of Object.entries(cm?.data ?? {})) env[(ef.prefix ?? "") + k] = v;
    if (ef.secretRef?.name) env[`*secret:${ef.secretRef.name}`] = { secret: ef.secretRef.name };
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) env[e.name] = { secret: e.valueFrom.secretKeyRef.name };
    else if (e.valueFrom?.configMapKeyRef) {
      const cm = find("ConfigMap", e.valueFrom.configMapKeyRef.name, namespace);
      env[e.name] = cm?.data?.[e.valueFrom.configMapKeyRef.key];
    } else env[e.name] = { other: true };
  }
  return env;
}

// The volume a container mounts at or above `file`, and the path of the file inside it.
function mountFor(c, spec, file) {
  let best = null;
  for (const m of c.volumeMounts ?? []) {
    const dir = m.mountPath.replace(/\/+$/, "");
    if ((file === dir || file.startsWith(`${dir}/`)) && (!best || dir.length > best.dir.length)) best = { dir, m };
  }
  if (!best) return null;
  const volume = (spec.volumes ?? []).find((v) => v.name === best.m.name);
  return volume ? { volume, rel: file.slice(best.dir.length + 1) } : null;
}

// Whether the volume carries `rel` from a Secret (a secret volume, or a projected one with a secret source).
function secretFile({ volume, rel }) {
  const fromItems = (items, path) => !items || items.some((i) => (i.path ?? i.key) === path);
  if (volume.secret) return fromItems(volume.secret.items, rel);
  return (volume.projected?.sources ?? []).some((src) => src.secret && fromItems(src.secret.items, rel));
}

function checkBusClient(c, spec, namespace, find, report) {
  const env = containerEnv(c, namespace, find);
  const url = env.NATS_URL;
  if (typeof url !== "string") report("no NATS_URL (the bus, tls://...)");
  else if (!url.split(",").every((u) => u.trim().startsWith("tls://"))) report(`NATS_URL ${url} is not tls://: the bus requires TLS`);
  if (typeof env.NATS_TLS_CA !== "string" || !env.NATS_TLS_CA.startsWith("/")) {
    report("no NATS_TLS_CA: the CA to check the NATS servers against (a mounted file)");
  } else {
    const ca = mountFor(c, spec, env.NATS_TLS_CA);
    if (!ca) report(`NATS_TLS_CA ${env.NATS_TLS_CA} is on no mounted volume`);
  }
  const seedFile = env.NATS_NKEY_FILE;
  if (typeof seedFile === "string") {
    const seed = mountFor(c, spec, seedFile);
    if (!seed || !secretFile(seed)) report(`NATS_NKEY_FILE ${seedFile} is not a file of a mounted Secret`);
  } else if (!(env.NATS_NKEY && typeof env.NATS_NKEY === "object" && env.NATS_NKEY.secret)) {
    report("no bus credentials: NATS_NKEY_FILE (a mounted Secret) or NATS_NKEY (from a Secret)");
  }
}

// Top-level blocks of a NATS config ("name { ... }" or "name: { ... }"), comments and strings skipped.
function natsBlocks(text) {
  const blocks = {};
  const clean = text.split("\n").map((l) => l.replace(/(^|\s)(#|\/\/).*$/, "")).join("\n");
  let depth = 0;
  let start = -1;
  let name = null;
  for (let i = 0; i < clean.length; i++) {
    const ch = clean[i];
    if (ch === '"' || ch === "'") {
      const end = clean.indexOf(ch, i + 1);
      i = end < 0 ? clean.length : end;
    } else if (ch === "{") {
      if (depth === 0) {
        const m = /([A-Za-z_][A-Za-z0-9_]*)\s*[:=]?\s*$/.exec(clean.slice(0, i));
        name = m ? m[1] : "?";
        start = i + 1;
      }
      depth++;
    } else if (ch === "}") {
      depth--;
      if (depth === 0 && name) {
        (blocks[name] ??= []).push(clean.slice(start, i));
        name = null;
      }
    }
  }
  return { blocks, clean };
}

function checkNatsServer(c, spec, namespace, find, report) {
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  const at = args.findIndex((a) => a === "--config" || a === "-c");
  const file = at >= 0 ? args[at + 1] : null;
  if (!file) {
    report("NATS runs without a config file: no TLS and no users (give it --config with tls and accounts)");
    return;
  }
  const mount = mountFor(c, spec, file);
  const cm = mount?.volume?.configMap?.name && find("ConfigMap", mount.volume.configMap.name, namespace);
  if (!cm) {
    report(`NATS config ${file} is not in a ConfigMap of these manifests (cannot check TLS and users)`);
    return;
  }
  const read = (rel) => cm.data?.[rel.replace(/^\.\//, "")];
  const seen = new Set();
  const texts = [];
  const follow = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const text = read(rel);
    if (text == null) {
      report(`NATS config ${rel} is missing from ConfigMap ${cm.metadata.name}`);
      return;
    }
    texts.push(text);
    for (const m of text.matchAll(/^\s*include\s+["']?([^"'\s]+)["']?/gm)) follow(m[1]);
  };
  follow(mount.rel);
  const parsed = texts.map(natsBlocks);
  const all = (name) => parsed.flatMap((p) => p.blocks[name] ?? []);
  const tls = all("tls");
  if (!tls.some((b) => /\bcert_file\b/.test(b) && /\bkey_file\b/.test(b))) {
    report("NATS config has no tls block with cert_file and key_file: clients may connect without TLS");
  }
  const users = [...all("accounts"), ...all("authorization")].some((b) => /\b(users|nkey|user)\b/.test(b));
  if (!users) report("NATS config has no users (accounts or authorization): anyone may connect and publish anything");
  if (parsed.some((p) => /\bno_auth_user\b/.test(p.clean))) report("NATS config sets no_auth_user: clients get in without credentials");
  for (const cluster of all("cluster")) {
    const inner = natsBlocks(cluster).blocks.tls ?? [];
    if (!inner.some((b) => /\bverify\s*[:=]?\s*true\b/.test(b))) {
      report("NATS cluster routes without mutual TLS (a tls block with verify: true inside cluster)");
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets: which ones a source may contain.

function devGeneratedSecretNames(overlayDir) {
  const file = kustomizationFile(overlayDir);
  if (!file) return [];
  const k = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
  const hashOffByDefault = k.generatorOptions?.disableNameSuffixHash === true;
  return (k.secretGenerator ?? []).map((g) => ({
    name: g.name,
    hashed: !(g.options?.disableNameSuffixHash ?? hashOffByDefault),
  }));
}

function secretAllowed(o, generated) {
  const name = o.metadata?.name ?? "";
  return generated.some((g) => (g.hashed ? new RegExp(`^${g.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9]{10}$`).test(name) : name === g.name));
}

// ---------------------------------------------------------------------------------------------------------------

async function checkSource(label, objectsWithSource, problems, { overlay, generatedSecrets }) {
  const objects = [];
  const push = (where, container, msg) => problems.push(`${label} ${where}${container ? ` ${container}` : ""}: ${msg}`);
  const id = (o) => `${o?.kind ?? "?"}/${o?.metadata?.name ?? "?"}`;

  for (const { o, source } of objectsWithSource) {
    if (typeof o?.apiVersion !== "string" || typeof o?.kind !== "string" || typeof o?.metadata?.name !== "string") {
      push(id(o), null, `not a Kubernetes object (apiVersion, kind and metadata.name are required)${source ? ` in ${source}` : ""}`);
      continue;
    }
    objects.push(o);
    const report = (msg) => push(id(o), null, msg);
    await validateSchema(o, report);

    if (o.kind === "Secret" && !secretAllowed(o, generatedSecrets)) {
      report(overlay
        ? "Secret in the manifests: only the dev overlay may create Secrets, and only with its secretGenerator; " +
          "other environments reference Secrets the operator creates"
        : "Secret in the manifests: real secrets never live in the repository");
    }
    if (o.kind === "ConfigMap") {
      for (const key of Object.keys({ ...(o.data ?? {}), ...(o.binaryData ?? {}) })) {
        if (SECRET_NAME.test(key) && !isSecretFilePath(key, o.data?.[key])) report(`ConfigMap key ${key} looks like a secret; put it in a Secret`);
      }
    }
    if (WORKLOAD_POD_SPEC[o.kind]) {
      checkPodSpec(WORKLOAD_POD_SPEC[o.kind](o), (container, msg) => push(id(o), container, msg));
    }
  }
  const external = crossChecks(objects, (o, container, msg) => push(id(o), container, msg), { overlay });
  return { objects, external };
}

function summary(label, objects, problemCount, external) {
  const counts = {};
  for (const o of objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  const kinds = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(", ");
  const ext = external.length ? `; operator provides Secrets: ${external.map((s) => s.replace(/^[^/]*\//, "")).join(", ")}` : "";
  const state = problemCount ? `${problemCount} problem${problemCount === 1 ? "" : "s"}` : "ok";
  return `${label}: ${objects.length} objects (${kinds})${ext} -- ${state}`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const problems = [];
  let total = 0;

  if (args.mode === "fixture") {
    const files = fs.readdirSync(args.dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    const label = rel(args.dir);
    const parsed = [];
    const local = [];
    for (const f of files) {
      const found = [];
      const docs = parseDocuments(fs.readFileSync(path.join(args.dir, f), "utf8"), f, found);
      for (const p of found) local.push(`${label} ${p.where}: ${p.msg}`);
      parsed.push(...docs);
    }
    const { objects, external } = await checkSource(label, parsed, local, { overlay: false, generatedSecrets: [] });
    console.log(summary(label, objects, local.length, external));
    for (const p of local) console.log(p);
    problems.push(...local);
    total += objects.length;
  } else {
    const overlays = fs.readdirSync(args.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && kustomizationFile(path.join(args.dir, d.name)))
      .map((d) => d.name).sort();
    if (!overlays.length) usage(`no overlays (directories with a kustomization.yaml) under ${rel(args.dir)}`);
    for (const name of overlays) {
      const dir = path.join(args.dir, name);
      const local = [];
      const rendered = render(dir);
      if (rendered.error) {
        local.push(`${name} kustomization: ${rendered.error}`);
        console.log(`${name}: not rendered -- 1 problem`);
        console.log(local[0]);
        problems.push(...local);
        continue;
      }
      const found = [];
      const docs = parseDocuments(rendered.text, "kubectl kustomize output", found);
      for (const p of found) local.push(`${name} ${p.where}: ${p.msg}`);
      const generatedSecrets = name === "dev" ? devGeneratedSecretNames(dir) : [];
      const { objects, external } = await checkSource(name, docs, local, { overlay: true, generatedSecrets });
      console.log(summary(name, objects, local.length, external));
      for (const p of local) console.log(p);
      problems.push(...local);
      total += objects.length;
    }
  }

  console.log(problems.length
    ? `k8s check: ${problems.length} problem${problems.length === 1 ? "" : "s"}`
    : `k8s check: ok (${total} objects)`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`check.mjs: ${e.stack || e}`);
  process.exit(2);
});

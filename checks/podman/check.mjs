#!/usr/bin/env node
// Offline checks of the container and podman material (fast; the real run is deploy/podman/platform.sh test):
//   - deploy/containers/Containerfile: ARG SERVICE and JDK_IMAGE, FROM scratch, a numeric non-root USER, a
//     HEALTHCHECK, the OCI labels source/version/revision; the release workflow builds exactly this file
//   - deploy/podman/kube/rune-forge.yaml: every object passes its kubernetes-models schema; every container runs
//     as non-root with a read-only root, drops ALL capabilities and has a liveness probe; secrets from a Secret
//   - deploy/compose/compose.yaml: parses (merge keys resolved); every service has a health check (its own or the
//     image's), a non-root user and a read-only root except PostgreSQL; depends_on names services; the build file
//     exists. Optional services (a profile, such as observability) may disable their health check when their
//     image has nothing to probe with, but only those: the platform's own services always have one
//   - deploy/podman/quadlet/*: every unit has its section, an image, a non-root user, a read-only root, and its
//     Network=/Requires= name files that exist
//   - the bus (docs/security.md), in compose, Quadlet, kube YAML and the systemd units alike: NATS starts from a config
//     file (-c), deploy/podman/nats.conf demands TLS of clients and includes the accounts rendered from the
//     permission table (no no_auth_user); every Rune Forge service has NATS_URL tls://..., NATS_TLS_CA and
//     NATS_NKEY_FILE on a mounted volume (its own seed)
//   - shellcheck of deploy/podman/**/*.sh when shellcheck is installed
//
//   node checks/podman/check.mjs                    the repository's files
//   node checks/podman/check.mjs --fixture DIR      only the bus checks, on DIR/compose.yaml, DIR/quadlet/*.container,
//                                                   DIR/kube.yaml, DIR/systemd/*.service, DIR/nats.conf (selftest.mjs)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const problems = [];
const bad = (where, msg) => problems.push(`${where}: ${msg}`);
const read = (rel) => fs.readFileSync(path.join(ROOT, rel), "utf8");
const exists = (rel) => fs.existsSync(path.join(ROOT, rel));

// --- the bus ------------------------------------------------------------------------------------------------------
const RF_SERVICE_IMAGE = /rune-forge\/[a-z-]+-service(:|$)/;
const NATS_IMAGE = /(^|\/)(rf-nats|nats)(:|$)/;

// One service's bus settings: env (name -> value) and the container paths of its mounts.
function busClient(where, env, mounts) {
  const url = env.NATS_URL;
  if (typeof url !== "string") bad(where, "no NATS_URL (the bus, tls://...)");
  else if (!url.startsWith("tls://")) bad(where, `NATS_URL ${url} is not tls://: the bus requires TLS`);
  if (typeof env.NATS_TLS_CA !== "string") bad(where, "no NATS_TLS_CA: the CA to check the NATS server against");
  const seed = env.NATS_NKEY_FILE;
  if (typeof seed !== "string") bad(where, "no bus credentials: NATS_NKEY_FILE (its own seed, mounted)");
  else if (!mounts.some((m) => seed.startsWith(`${m.replace(/\/+$/, "")}/`))) bad(where, `NATS_NKEY_FILE ${seed} is on no mounted volume`);
}

function busServer(where, args) {
  if (!args.some((a) => a === "-c" || a === "--config")) bad(where, "NATS runs without a config file: no TLS and no users (-c /etc/nats/nats.conf)");
}

function natsConf(where, text) {
  const clean = text.split("\n").map((l) => l.replace(/(^|\s)#.*$/, "")).join("\n");
  const tls = /\btls\s*[:=]?\s*\{([^}]*)\}/.exec(clean);
  if (!tls || !/\bcert_file\b/.test(tls[1]) || !/\bkey_file\b/.test(tls[1])) bad(where, "no tls block with cert_file and key_file: clients may connect without TLS");
  if (!/^\s*include\s+\.?\/?accounts\.conf\b/m.test(clean) && !/\baccounts\s*[:=]?\s*\{/.test(clean)) bad(where, "no accounts (include ./accounts.conf, the permission table): anyone may connect");
  if (/\bno_auth_user\b/.test(clean)) bad(where, "sets no_auth_user: clients get in without credentials");
}

const envList = (e) => Array.isArray(e) ? Object.fromEntries(e.map((x) => String(x).split(/=(.*)/s).slice(0, 2))) : (e ?? {});

function busChecks(files) {
  if (files.natsConf && fs.existsSync(files.natsConf.abs)) natsConf(files.natsConf.rel, fs.readFileSync(files.natsConf.abs, "utf8"));
  if (files.compose && fs.existsSync(files.compose.abs)) {
    const c = YAML.parseDocument(fs.readFileSync(files.compose.abs, "utf8"), { merge: true }).toJS({ maxAliasCount: -1 }) ?? {};
    for (const [name, svc] of Object.entries(c.services ?? {})) {
      const image = String(svc.image ?? "");
      const mounts = (svc.volumes ?? []).map((v) => (typeof v === "string" ? v.split(":")[1] : v.target)).filter(Boolean);
      const command = Array.isArray(svc.command) ? svc.command.map(String) : String(svc.command ?? "").split(/\s+/);
      if (name === "nats" || NATS_IMAGE.test(image.replace(/^\$\{[^}]*:-/, "").replace(/\}$/, ""))) busServer(`${files.compose.rel} ${name}`, command);
      else if (svc.build?.args?.SERVICE || RF_SERVICE_IMAGE.test(image)) busClient(`${files.compose.rel} ${name}`, envList(svc.environment), mounts);
    }
  }
  if (files.quadlet && fs.existsSync(files.quadlet.abs)) {
    for (const f of fs.readdirSync(files.quadlet.abs).filter((x) => x.endsWith(".container"))) {
      const text = fs.readFileSync(path.join(files.quadlet.abs, f), "utf8");
      const values = (key) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1].trim());
      const image = values("Image")[0] ?? "";
      const where = `${files.quadlet.rel}/${f}`;
      const mounts = values("Volume").map((v) => v.split(":")[1]).filter(Boolean);
      if (NATS_IMAGE.test(image)) busServer(where, values("Exec").join(" ").split(/\s+/));
      else if (RF_SERVICE_IMAGE.test(image)) busClient(where, envList(values("Environment")), mounts);
    }
  }
  if (files.kube && fs.existsSync(files.kube.abs)) {
    for (const d of YAML.parseAllDocuments(fs.readFileSync(files.kube.abs, "utf8"))) {
      const o = d.toJS();
      if (o?.kind !== "Pod") continue;
      for (const c of o.spec?.containers ?? []) {
        const where = `${files.kube.rel} Pod/${o.metadata?.name} ${c.name}`;
        const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? (e.valueFrom ? "(from a reference)" : undefined)]));
        if (NATS_IMAGE.test(c.image ?? "")) busServer(where, [...(c.command ?? []), ...(c.args ?? [])].map(String));
        else if (RF_SERVICE_IMAGE.test(c.image ?? "")) busClient(where, env, (c.volumeMounts ?? []).map((m) => m.mountPath));
      }
    }
  }
  if (files.systemd && fs.existsSync(files.systemd.abs)) {
    for (const f of fs.readdirSync(files.systemd.abs).filter((x) => /^container-.*\.service$/.test(x))) {
      const text = fs.readFileSync(path.join(files.systemd.abs, f), "utf8").replace(/\\\n\s*/g, " ");
      const run = /ExecStart=\S*podman run (.*)$/m.exec(text)?.[1];
      if (!run) continue;
      const words = run.trim().split(/\s+/);
      const image = words.at(-1);
      const env = {};
      const mounts = [];
      words.forEach((w, i) => {
        if (w === "-e" || w === "--env") { const [k, v] = words[i + 1].split(/=(.*)/s); env[k] = v; }
        if (w === "-v" || w === "--volume") mounts.push(words[i + 1].split(":")[1]);
      });
      const where = `${files.systemd.rel}/${f}`;
      if (NATS_IMAGE.test(image)) {
        if (!mounts.includes("/etc/nats")) bad(where, "NATS without its config (TLS, the permission table) mounted at /etc/nats");
      } else if (RF_SERVICE_IMAGE.test(image)) busClient(where, env, mounts);
    }
  }
}

const fixtureAt = process.argv.indexOf("--fixture");
if (fixtureAt >= 0) {
  const dir = path.resolve(process.argv[fixtureAt + 1] ?? ".");
  const rel = (p) => path.relative(ROOT, path.join(dir, p));
  busChecks({
    compose: { abs: path.join(dir, "compose.yaml"), rel: rel("compose.yaml") },
    quadlet: { abs: path.join(dir, "quadlet"), rel: rel("quadlet") },
    kube: { abs: path.join(dir, "kube.yaml"), rel: rel("kube.yaml") },
    systemd: { abs: path.join(dir, "systemd"), rel: rel("systemd") },
    natsConf: { abs: path.join(dir, "nats.conf"), rel: rel("nats.conf") },
  });
  for (const p of problems) console.log(`checks/podman: ${p}`);
  console.log(`checks/podman: ${problems.length} problem(s) in the fixture`);
  process.exit(problems.length ? 1 : 0);
}

{
  const at = (rel) => ({ abs: path.join(ROOT, rel), rel });
  busChecks({
    compose: at("deploy/compose/compose.yaml"), quadlet: at("deploy/podman/quadlet"),
    kube: at("deploy/podman/kube/rune-forge.yaml"), systemd: at("deploy/podman/systemd"),
    natsConf: at("deploy/podman/nats.conf"),
  });
  for (const [where, re, what] of [
    ["deploy/podman/lib.sh", /^RF_NATS_URL=tls:\/\//m, "RF_NATS_URL=tls://... (platform.sh's services)"],
    ["deploy/podman/images/nats.Containerfile", /^CMD \["-c", "\/etc\/nats\/nats\.conf"\]/m, 'CMD ["-c", "/etc/nats/nats.conf"] (no open bus by default)'],
    ["deploy/podman/bus.sh", /deploy\/podman\/nats\.conf|\$here\/nats\.conf/, "a copy of deploy/podman/nats.conf"],
  ]) {
    if (!exists(where)) bad(where, "missing");
    else if (!re.test(read(where))) bad(where, `missing ${what}`);
  }
}

// Containerfile
{
  const where = "deploy/containers/Containerfile";
  const cf = read(where);
  for (const [re, what] of [
    [/^ARG SERVICE\b/m, "ARG SERVICE"],
    [/^ARG JDK_IMAGE=\S+/m, "ARG JDK_IMAGE with a public default"],
    [/^FROM scratch\s*$/m, "a FROM scratch final stage"],
    [/^USER 10001:10001\s*$/m, "USER 10001:10001"],
    [/^HEALTHCHECK .*CMD /m, "a HEALTHCHECK"],
    [/org\.opencontainers\.image\.source=/, "label org.opencontainers.image.source"],
    [/org\.opencontainers\.image\.version=/, "label org.opencontainers.image.version"],
    [/org\.opencontainers\.image\.revision=/, "label org.opencontainers.image.revision"],
  ]) if (!re.test(cf)) bad(where, `missing ${what}`);
  const release = read(".github/workflows/release.yml");
  const m = release.match(/--file (\S+)/);
  if (!m) bad(".github/workflows/release.yml", "no --file for the image build");
  else if (!fs.existsSync(path.join(ROOT, m[1]))) bad(".github/workflows/release.yml", `builds ${m[1]}, which does not exist`);
}

// kube play YAML
{
  const where = "deploy/podman/kube/rune-forge.yaml";
  const docs = YAML.parseAllDocuments(read(where));
  const secrets = new Set();
  for (const d of docs) {
    if (d.errors.length) { bad(where, d.errors[0].message); continue; }
    const o = d.toJS();
    if (!o) continue;
    const id = `${where} ${o.kind}/${o.metadata?.name}`;
    try {
      const mod = await import(`kubernetes-models/${o.apiVersion}/${o.kind}`);
      new mod[o.kind](o).validate();
    } catch (e) { bad(id, `schema: ${e.message.split("\n")[0]}`); }
    if (o.kind === "Secret") secrets.add(o.metadata.name);
    if (o.kind !== "Pod") continue;
    const podSc = o.spec.securityContext ?? {};
    for (const c of o.spec.containers ?? []) {
      const sc = { ...podSc, ...(c.securityContext ?? {}) };
      if (!(sc.runAsNonRoot && sc.runAsUser > 0)) bad(id, `${c.name}: not runAsNonRoot with a non-zero runAsUser`);
      if (sc.readOnlyRootFilesystem !== true) bad(id, `${c.name}: root filesystem not read-only`);
      if (sc.allowPrivilegeEscalation !== false) bad(id, `${c.name}: allowPrivilegeEscalation not false`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) bad(id, `${c.name}: capabilities not dropped`);
      if (!c.livenessProbe) bad(id, `${c.name}: no livenessProbe (podman turns it into the health check)`);
      if (!/^localhost\/rune-forge\/[a-z-]+:[\w.-]+$/.test(c.image)) bad(id, `${c.name}: image ${c.image} is not a tagged localhost/rune-forge image`);
      for (const e of c.env ?? []) {
        // podman 4.3 cannot play secretKeyRef: the one inline secret allowed is the placeholder `change-me`.
        if (/PASSWORD|SECRET|TOKEN/i.test(e.name) && !e.valueFrom?.secretKeyRef && e.value !== "change-me") bad(id, `${c.name}: ${e.name} neither from a Secret nor the placeholder change-me`);
        const ref = e.valueFrom?.secretKeyRef?.name;
        if (ref && !secrets.has(ref)) bad(id, `${c.name}: Secret ${ref} is not defined above`);
      }
    }
  }
}

// compose
{
  const where = "deploy/compose/compose.yaml";
  const doc = YAML.parseDocument(read(where), { merge: true });
  if (doc.errors.length) bad(where, doc.errors[0].message);
  const c = doc.toJS({ maxAliasCount: -1 });
  const names = Object.keys(c.services ?? {});
  for (const s of ["nats", "postgres", "auth", "persistence", "media-token", "game-instance", "gateway"]) {
    if (!names.includes(s)) bad(where, `no service ${s}`);
  }
  for (const [name, s] of Object.entries(c.services ?? {})) {
    const optional = Array.isArray(s.profiles) && s.profiles.length > 0;
    if (!s.healthcheck?.test && !(optional && s.healthcheck?.disable === true)) bad(where, `${name}: no healthcheck`);
    if (name !== "postgres") {
      if (!/^[1-9]\d*:[1-9]\d*$/.test(String(s.user ?? ""))) bad(where, `${name}: no numeric non-root user`);
      if (s.read_only !== true) bad(where, `${name}: root filesystem not read-only`);
    }
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const d of deps) if (!names.includes(d)) bad(where, `${name}: depends_on unknown service ${d}`);
    for (const [d, v] of Object.entries(Array.isArray(s.depends_on) ? {} : s.depends_on ?? {})) {
      if (v.condition !== "service_healthy") bad(where, `${name}: depends_on ${d} without condition service_healthy`);
    }
    if (s.build) {
      const file = path.join(ROOT, "deploy/compose", s.build.context, s.build.dockerfile);
      if (!fs.existsSync(file)) bad(where, `${name}: build file ${file} missing`);
      if (!s.build.args?.SERVICE) bad(where, `${name}: build without SERVICE`);
    }
  }
}

// Quadlet
{
  const dir = "deploy/podman/quadlet";
  const files = fs.readdirSync(path.join(ROOT, dir));
  for (const f of files) {
    const where = `${dir}/${f}`;
    const text = read(where);
    const kind = { ".container": "Container", ".network": "Network", ".kube": "Kube", ".volume": "Volume" }[path.extname(f)];
    if (!kind) { bad(where, "not a Quadlet file"); continue; }
    const sections = {};
    let cur = null;
    for (const [i, raw] of text.split("\n").entries()) {
      const line = raw.trim();
      if (!line || line.startsWith("#") || line.startsWith(";")) continue;
      const sec = line.match(/^\[(\w+)\]$/);
      if (sec) { cur = sec[1]; sections[cur] ??= {}; continue; }
      const kv = line.match(/^([A-Za-z]+)=(.*)$/);
      if (!kv || !cur) { bad(where, `line ${i + 1}: not "Key=value" inside a section`); continue; }
      (sections[cur][kv[1]] ??= []).push(kv[2]);
    }
    if (!sections[kind]) { bad(where, `no [${kind}] section`); continue; }
    if (kind !== "Container") continue;
    const k = sections.Container;
    if (!k.Image) bad(where, "no Image=");
    if (!(k.User && Number(k.User[0]) > 0)) bad(where, "no non-root numeric User=");
    if (k.ReadOnly?.[0] !== "true") bad(where, "ReadOnly=true missing");
    for (const n of k.Network ?? []) if (n.endsWith(".network") && !files.includes(n)) bad(where, `Network=${n}: no such file`);
    for (const r of (sections.Unit?.Requires ?? []).join(" ").split(/\s+/).filter(Boolean)) {
      const unit = r.replace(/\.service$/, ".container");
      if (!files.includes(unit)) bad(where, `Requires=${r}: no ${unit} beside it`);
    }
  }
}

// shellcheck
{
  const which = spawnSync("sh", ["-c", "command -v shellcheck"], { encoding: "utf8" });
  if (which.status === 0) {
    const scripts = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(path.join(ROOT, d), { withFileTypes: true })) {
        if (e.isDirectory()) walk(`${d}/${e.name}`);
        else if (e.name.endsWith(".sh")) scripts.push(`${d}/${e.name}`);
      }
    };
    walk("deploy/podman");
    const r = spawnSync("shellcheck", ["-x", ...scripts], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) bad("shellcheck", r.stdout.split("\n").slice(0, 20).join("\n"));
  } else {
    console.log("checks/podman: shellcheck not installed, scripts not linted");
  }
}

if (problems.length) {
  for (const p of problems) console.error(`checks/podman: ${p}`);
  console.error(`checks/podman: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log("checks/podman: Containerfile, kube YAML, compose, Quadlet files and scripts OK");

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
//   - shellcheck of deploy/podman/**/*.sh when shellcheck is installed
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const problems = [];
const bad = (where, msg) => problems.push(`${where}: ${msg}`);
const read = (rel) => fs.readFileSync(path.join(ROOT, rel), "utf8");

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

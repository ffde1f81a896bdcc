#!/usr/bin/env node
// deploy/livekit/livekit.yaml matches what the platform assumes of LiveKit:
//   - room defaults (max_participants, empty_timeout) equal media-token-service's defaults
//     (livekit.room.max.participants, livekit.room.empty.timeout as docs/operations.md's settings table states them;
//     SettingsEnvironmentIT holds that table to the service), so a room LiveKit creates by itself on first join has
//     the same limits as one media-token-service creates;
//   - no API keys in the file (they come from the environment: LIVEKIT_KEYS);
//   - the ports it listens on are the ones the compose service publishes, and the port media-token-service is
//     pointed at in the compose comment's example (LIVEKIT_URL=ws://livekit:<port>).
// Run by scripts/check-static.sh.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const read = (p) => fs.readFileSync(path.join(ROOT, p), "utf8");
const problems = [];
const bad = (what) => problems.push(what);

const lk = YAML.parse(read("deploy/livekit/livekit.yaml"));
/** The default column of docs/operations.md's settings table for `key` (the backquotes dropped). */
function documentedDefault(key) {
  const row = read("docs/operations.md").split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
  if (!row) throw new Error(`docs/operations.md has no row for ${key}`);
  return row.split("|")[4].trim().replace(/^`|`$/g, "");
}

/** ISO-8601 seconds/minutes duration (PT300S, PT5M) in seconds. */
function seconds(iso) {
  const m = /^PT(?:(\d+)M)?(?:(\d+)S)?$/.exec(String(iso));
  if (!m) throw new Error(`not a PTnMnS duration: ${iso}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

const maxParticipants = documentedDefault("livekit.room.max.participants");
const emptyTimeout = documentedDefault("livekit.room.empty.timeout");
if (lk?.room?.max_participants !== Number(maxParticipants)) {
  bad(`room.max_participants ${lk?.room?.max_participants} != media-token-service livekit.room.max.participants ${maxParticipants}`);
}
if (lk?.room?.empty_timeout !== seconds(emptyTimeout)) {
  bad(`room.empty_timeout ${lk?.room?.empty_timeout} != media-token-service livekit.room.empty.timeout ${emptyTimeout}`);
}
if (lk.keys || lk.key_file) bad("API keys must not be in livekit.yaml (LIVEKIT_KEYS from the environment)");

const compose = YAML.parseDocument(read("deploy/compose/compose.yaml"), { merge: true }).toJS({ maxAliasCount: -1 });
const svc = compose.services?.livekit;
if (!svc) {
  bad("compose has no livekit service");
} else {
  if (!(svc.profiles ?? []).includes("voice")) bad("compose livekit is not optional (profile voice)");
  const published = (svc.ports ?? []).map(String);
  const want = [`:${lk.port}:${lk.port}`, `${lk.rtc.tcp_port}:${lk.rtc.tcp_port}/tcp`,
    `${lk.rtc.port_range_start}-${lk.rtc.port_range_end}:${lk.rtc.port_range_start}-${lk.rtc.port_range_end}/udp`];
  for (const w of want) if (!published.some((p) => p.endsWith(w))) bad(`compose livekit does not publish ${w}`);
  if (!/LIVEKIT_KEYS/.test(JSON.stringify(svc.environment ?? {}))) bad("compose livekit gets no LIVEKIT_KEYS");
  if (!(svc.volumes ?? []).some((v) => v.startsWith("../livekit/livekit.yaml:"))) bad("compose livekit does not mount deploy/livekit/livekit.yaml");
  if (!read("deploy/compose/compose.yaml").includes(`LIVEKIT_URL=ws://livekit:${lk.port}`)) bad(`compose comment does not point LIVEKIT_URL at livekit:${lk.port}`);
}
const quadlet = read("deploy/podman/quadlet/rf-livekit.container");
if (!quadlet.includes(`PublishPort=${lk.port}:${lk.port}`)) bad(`rf-livekit.container does not publish ${lk.port}`);

if (problems.length) {
  for (const p of problems) console.error(`FAIL deploy/livekit: ${p}`);
  process.exit(1);
}
console.log(`checks/livekit: livekit.yaml (port ${lk.port}, rooms of ${lk.room.max_participants}, empty timeout ${lk.room.empty_timeout}s) matches media-token-service, compose and Quadlet`);

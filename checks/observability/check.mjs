#!/usr/bin/env node
// Checks the Grafana dashboards and Prometheus rules of deploy/observability against what the services export:
// every dashboard is valid JSON with a uid, a title and panels on the "prometheus" datasource, and every metric
// name a dashboard query or a rule expression uses is listed in deploy/observability/metrics.txt (which
// gateway-service's MetricsScrapeIT proves the services export), is a recording rule of the rules files, or is
// Prometheus's own `up`. Offline; promtool checks the PromQL syntax and the rules (scripts/check-static.sh).
//
//   node checks/observability/check.mjs [dir]   dir defaults to deploy/observability; exit 1 on any problem

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = path.resolve(ROOT, process.argv[2] ?? "deploy/observability");

// PromQL words that look like metric names: aggregation and set operators, modifiers.
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and",
  "or", "unless", "atan2", "inf", "nan", "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk",
  "quantile", "count_values", "group"]);

/** The metric names a PromQL expression selects (functions, labels, durations, numbers and variables dropped). */
export function metricNames(expr) {
  let e = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, " ") // string literals
    .replace(/\$\{?\w+\}?/g, " ") // Grafana variables ($__rate_interval, ${instance})
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // range and subquery durations
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " "); // label lists
  const names = new Set();
  for (const m of e.matchAll(/(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return names;
}

/** Every `expr` string anywhere in a parsed dashboard (panel targets, nested rows, variables' queries). */
function exprs(node, out = []) {
  if (Array.isArray(node)) node.forEach((n) => exprs(n, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "expr" && typeof v === "string") out.push(v);
      else exprs(v, out);
    }
  }
  return out;
}

export function check(base) {
  const problems = [];
  const listFile = path.join(base, "metrics.txt");
  const known = new Set(["up"]);
  for (const line of fs.readFileSync(listFile, "utf8").split("\n")) {
    const t = line.trim();
    if (t && !t.startsWith("#")) known.add(t.split(/\s+/)[1]);
  }
  const rules = [];
  const rulesDir = path.join(base, "rules");
  for (const f of fs.existsSync(rulesDir) ? fs.readdirSync(rulesDir).sort() : []) {
    if (!/\.rules\.ya?ml$/.test(f)) continue;
    const doc = YAML.parse(fs.readFileSync(path.join(rulesDir, f), "utf8"));
    for (const g of doc?.groups ?? []) {
      for (const r of g.rules ?? []) {
        if (r.record) known.add(r.record);
        rules.push({ where: `rules/${f}: ${r.alert ?? r.record}`, expr: String(r.expr) });
      }
    }
  }
  for (const r of rules) {
    for (const n of metricNames(r.expr)) if (!known.has(n)) problems.push(`${r.where}: unknown metric ${n}`);
  }
  const dashDir = path.join(base, "grafana", "dashboards");
  const files = fs.readdirSync(dashDir).filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0) problems.push(`${dashDir}: no dashboards`);
  const uids = new Set();
  for (const f of files) {
    const where = `grafana/dashboards/${f}`;
    let d;
    try {
      d = JSON.parse(fs.readFileSync(path.join(dashDir, f), "utf8"));
    } catch (e) {
      problems.push(`${where}: not valid JSON: ${e.message}`);
      continue;
    }
    if (!d.uid || !d.title) problems.push(`${where}: needs a uid and a title`);
    if (uids.has(d.uid)) problems.push(`${where}: uid ${d.uid} used twice`);
    uids.add(d.uid);
    if (!Array.isArray(d.panels) || d.panels.length === 0) problems.push(`${where}: no panels`);
    for (const p of d.panels ?? []) {
      if (p.datasource?.uid !== "prometheus") problems.push(`${where}: panel "${p.title}" is not on datasource uid prometheus`);
      if (!(p.targets ?? []).some((t) => typeof t.expr === "string" && t.expr.trim())) {
        problems.push(`${where}: panel "${p.title}" has no query`);
      }
    }
    for (const e of exprs(d)) {
      for (const n of metricNames(e)) if (!known.has(n)) problems.push(`${where}: unknown metric ${n} in ${e}`);
    }
  }
  return { problems, dashboards: files.length, rules: rules.length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { problems, dashboards, rules } = check(dir);
  for (const p of problems) console.log(`FAIL ${p}`);
  if (problems.length) process.exit(1);
  console.log(`ok   ${dashboards} dashboards and ${rules} rules use only exported metrics`);
}

#!/usr/bin/env node
// Self-test of checks/observability/check.mjs: it passes deploy/observability and finds every problem planted in
// checks/observability/fixtures/broken (an unknown metric in a dashboard and in a rule, invalid JSON, a panel on
// another datasource), and nothing else there. Offline, instant.
//
//   node checks/observability/selftest.mjs    one line per assertion; exit 1 on failure

import path from "node:path";
import { fileURLToPath } from "node:url";
import { check, metricNames } from "./check.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
let failed = 0;
function assert(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok || !detail ? "" : `\n     ${detail}`}`);
  if (!ok) failed++;
}

const real = check(path.join(ROOT, "deploy", "observability"));
assert("deploy/observability passes", real.problems.length === 0, real.problems.join("\n     "));
assert("deploy/observability has the five dashboards", real.dashboards === 5, `${real.dashboards} dashboards`);

const broken = check(path.join(HERE, "fixtures", "broken"));
const expected = [
  "grafana/dashboards/invalid.json: not valid JSON",
  "grafana/dashboards/unknown-metric.json: unknown metric rf_game_sessions_not_exported",
  "grafana/dashboards/wrong-datasource.json: panel \"elsewhere\" is not on datasource uid prometheus",
  "rules/broken.rules.yml: NamesAMissingMetric: unknown metric rf_gateway_typo_total",
];
for (const e of expected) {
  assert(`broken fixture: ${e}`, broken.problems.some((p) => p.startsWith(e)), broken.problems.join("\n     "));
}
assert("broken fixture: nothing else is reported", broken.problems.length === expected.length,
  broken.problems.join("\n     "));

const names = (e) => [...metricNames(e)].sort().join(",");
assert("functions, labels, durations and variables are not metrics",
  names('histogram_quantile(0.99, sum by (le) (rate(a_bucket{le!="1"}[$__rate_interval] offset 1h))) > 1e3') === "a_bucket");
assert("both sides of a binary operator are metrics", names("a_total / on(job) group_left b_total") === "a_total,b_total");

if (failed) {
  console.log(`${failed} failed`);
  process.exit(1);
}

#!/usr/bin/env node
// NATS wiretap: subscribes to every subject (or --subject) for --seconds and prints messages/s and bytes/s in
// all and by subject group. Used to measure the platform's bus traffic, e.g. while it is idle.
// See README.md in this directory.

import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import { NATS_OPTIONS, NATS_USAGE, natsOptions } from './lib/natsconn.mjs';

const USAGE = `usage: node wiretap.mjs [options]

${NATS_USAGE}
  --seconds T         how long to listen (default 10)
  --subject S         what to subscribe to (default '>', every subject of the account)
  --namespace NS      count only the platform with this bus namespace (rf, bench, t1234abcd…): its subjects
                      (NS.…), its streams' and buckets' API, ack and KV subjects (NS_…, KV_NS-…, $KV.NS-…);
                      replies to inboxes cannot be told apart and are shown as '_INBOX (any namespace)'
  --depth N           tokens of a plain subject that name its group (default 3; ids and numbers become *)
  --top N             groups listed (default 40)
  --json FILE         also write the counts as JSON
  -h, --help

Groups: _INBOX.… is one group; \$JS.ACK.<stream>.… by stream; \$KV.<bucket>.… by bucket; \$JS.API.… by verb and
stream (\$JS.API.CONSUMER.MSG.NEXT.<stream>, \$JS.API.DIRECT.GET.<stream>, …; no consumer names); JetStream
advisories by kind and stream; other subjects by their first --depth tokens, with tokens that look like ids
(long hex, uuids, numbers, g-/gi- ids) shown as *.`;

let args;
try {
    args = parseArgs({
        options: {
            ...NATS_OPTIONS,
            seconds: { type: 'string', default: '10' },
            subject: { type: 'string', default: '>' },
            namespace: { type: 'string' },
            depth: { type: 'string', default: '3' },
            top: { type: 'string', default: '40' },
            json: { type: 'string' },
            help: { type: 'boolean', short: 'h', default: false },
        },
    }).values;
} catch (e) {
    console.error(`${e.message}\n\n${USAGE}`);
    process.exit(2);
}
if (args.help) {
    console.log(USAGE);
    process.exit(0);
}
const seconds = Number(args.seconds);
const depth = Number(args.depth);
const top = Number(args.top);
if (!(seconds > 0) || !(depth >= 1) || !(top >= 1)) {
    console.error('--seconds, --depth and --top take positive numbers');
    process.exit(2);
}

const ID = /^(\d+|[0-9a-f]{12,}|[0-9a-f-]{32,}|gi?-[A-Za-z0-9-]+|[A-Za-z0-9_-]{20,})$/;

/** The group a subject is counted under. */
function group(subject) {
    const t = subject.split('.');
    if (t[0] === '_INBOX') return '_INBOX';
    if (t[0] === '$JS' && t[1] === 'ACK') return `$JS.ACK.${t[2] ?? ''}`;
    if (t[0] === '$KV') return `$KV.${t[1] ?? ''}`;
    if (t[0] === '$JS' && t[1] === 'API') {
        // The verb and the stream, without consumer names: $JS.API.CONSUMER.MSG.NEXT.<stream>,
        // $JS.API.DIRECT.GET.<stream>, $JS.API.CONSUMER.CREATE.<stream>, $JS.API.STREAM.INFO.<stream>, $JS.API.INFO
        const verb = t[3] === 'MSG' || t[3] === 'DURABLE' ? 5 : 4;
        return t.slice(0, Math.min(verb + 1, t.length)).join('.');
    }
    if (t[0] === '$JS' && t[1] === 'EVENT') {
        // $JS.EVENT.ADVISORY.CONSUMER.CREATED.<stream>.<consumer>, $JS.EVENT.ADVISORY.API
        return t.slice(0, t[3] === 'CONSUMER' || t[3] === 'STREAM' ? 6 : 4).join('.');
    }
    return t.slice(0, depth).map((x, i) => (i > 0 && ID.test(x) ? '*' : x)).join('.');
}

function belongs(subject, ns) {
    if (subject.startsWith('_INBOX.')) return true; // counted apart
    const up = `${ns.toUpperCase()}_`;
    const t = subject.split('.');
    if (t[0] === ns) return true;
    if (t[0] === '$KV') return t[1]?.startsWith(`${ns}-`);
    if (t[0] === '$JS') return t.some((x) => x.startsWith(up) || x.startsWith(`KV_${ns}-`));
    return false;
}

let nc;
try {
    nc = await connect(natsOptions(args, 'rf-wiretap'));
} catch (e) {
    console.error(`wiretap: cannot connect to ${args['nats-url']}: ${e.message}`);
    process.exit(1);
}

const counts = new Map(); // group -> [messages, bytes]
let total = 0;
let totalBytes = 0;
let other = 0; // messages of other namespaces (with --namespace)
const ns = args.namespace;
const t0 = performance.now();
nc.subscribe(args.subject, {
    callback: (err, m) => {
        if (err) return;
        if (ns && !belongs(m.subject, ns)) {
            other++;
            return;
        }
        const g = ns && m.subject.startsWith('_INBOX.') ? '_INBOX (any namespace)' : group(m.subject);
        const size = m.data.length + (m.headers ? m.headers.toString().length : 0);
        const c = counts.get(g);
        if (c) {
            c[0]++;
            c[1] += size;
        } else {
            counts.set(g, [1, size]);
        }
        total++;
        totalBytes += size;
    },
});
console.error(`wiretap: listening to '${args.subject}' on ${args['nats-url']} for ${seconds} s${ns ? ` (namespace ${ns})` : ''}`);
await new Promise((r) => setTimeout(r, seconds * 1000));
const elapsed = (performance.now() - t0) / 1000;
await nc.drain();

const rows = [...counts.entries()].sort((a, b) => b[1][0] - a[1][0]);
const width = Math.max(24, ...rows.slice(0, top).map(([g]) => g.length));
console.log(`${'subject group'.padEnd(width)} ${'msgs/s'.padStart(10)} ${'bytes/s'.padStart(12)} ${'msgs'.padStart(9)}`);
for (const [g, [n, b]] of rows.slice(0, top)) {
    console.log(`${g.padEnd(width)} ${(n / elapsed).toFixed(1).padStart(10)} ${(b / elapsed).toFixed(0).padStart(12)} ${String(n).padStart(9)}`);
}
if (rows.length > top) {
    const rest = rows.slice(top).reduce((s, [, [n]]) => s + n, 0);
    console.log(`${`(${rows.length - top} more groups)`.padEnd(width)} ${(rest / elapsed).toFixed(1).padStart(10)}`);
}
console.log(`${'total'.padEnd(width)} ${(total / elapsed).toFixed(1).padStart(10)} ${(totalBytes / elapsed).toFixed(0).padStart(12)} ${String(total).padStart(9)}`);
if (ns) console.log(`(${(other / elapsed).toFixed(1)} msgs/s of other namespaces not counted)`);
if (args.json) {
    writeFileSync(args.json, `${JSON.stringify({
        subject: args.subject, namespace: ns ?? null, seconds: elapsed, total, msgsPerSecond: total / elapsed,
        bytesPerSecond: totalBytes / elapsed, otherNamespaces: other,
        groups: Object.fromEntries(rows.map(([g, [n, b]]) => [g, { msgs: n, bytes: b, msgsPerSecond: n / elapsed }])),
    }, null, 2)}\n`);
}

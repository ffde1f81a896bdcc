#!/usr/bin/env node
// Deletes every JetStream stream and KV bucket of one bus namespace (NS_…, KV_NS-…), as the tests do after
// themselves: scripts/bench-load.sh runs each benchmark in a fresh namespace and drops it afterwards.
//   node drop-namespace.mjs [--nats-url URL] [--creds FILE | --user U --password P | --token T] NS

import { parseArgs } from 'node:util';
import { connect } from 'nats';
import { NATS_OPTIONS, NATS_USAGE, natsOptions } from './lib/natsconn.mjs';

const USAGE = `usage: node drop-namespace.mjs [options] NAMESPACE\n\n${NATS_USAGE}`;
let parsed;
try {
    parsed = parseArgs({ options: { ...NATS_OPTIONS, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
} catch (e) {
    console.error(`${e.message}\n\n${USAGE}`);
    process.exit(2);
}
const ns = parsed.positionals[0];
if (parsed.values.help || parsed.positionals.length !== 1 || !/^[a-z][a-z0-9]{0,15}$/.test(ns)) {
    console.error(USAGE);
    process.exit(parsed.values.help ? 0 : 2);
}
if (ns === 'rf') {
    console.error('drop-namespace: refusing to drop the default namespace rf');
    process.exit(2);
}
const nc = await connect(natsOptions(parsed.values, 'rf-drop-namespace'));
const jsm = await nc.jetstreamManager();
const dropped = [];
for await (const si of jsm.streams.list()) {
    const name = si.config.name;
    if (name.startsWith(`${ns.toUpperCase()}_`) || name.startsWith(`KV_${ns}-`) || name.startsWith(`OBJ_${ns}-`)) {
        await jsm.streams.delete(name);
        dropped.push(name);
    }
}
await nc.drain();
console.log(`drop-namespace: ${ns}: deleted ${dropped.length ? dropped.join(', ') : 'nothing'}`);

#!/usr/bin/env node
// A dice bot: signs in as a guest, joins a room by its code, prints every roll in the room and rolls when told.
//
//   node examples/bot.mjs WOLF-RUNE-1234 [--name Bot] [--every 10] [--formula 1d20]
//
// The gateway is RF_BASE_URL (default http://localhost:8080). Commands on stdin, one a line:
//   roll 2d6+3    (or just 2d6+3)   roll it
//   quit                            leave the room and stop
// With --every N it also rolls --formula every N seconds. Ctrl-C leaves the room too.
// Needs the ws package next to it (Node 20 has no WebSocket of its own): npm install ws
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { RuneForgeClient, RuneForgeError, dice } from '../src/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string', default: 'Bot' },
    every: { type: 'string' },
    formula: { type: 'string', default: '1d20' },
  },
});
const code = positionals[0];
if (!code) {
  console.error('usage: node examples/bot.mjs <room code> [--name Bot] [--every seconds] [--formula 1d20]');
  process.exit(2);
}

const client = new RuneForgeClient({ baseUrl: process.env.RF_BASE_URL || 'http://localhost:8080', WebSocket });
/** @param {dice.Roll} r */
const show = (r) => (r.total === undefined ? `${r.name} rolled in secret` : `${r.name} rolled ${r.formula} = ${r.total}`);

client.on('state', (state) => console.log(`[${state}]`));
client.on('event', (e) => {
  if (e.body.type === 'rolled') console.log(`${show(e.body.roll)}${e.catchUp ? ' (while I was away)' : ''}`);
});
client.on('left', (info) => {
  console.log(`left the room (${info.reason})`);
  process.exit(0);
});

const me = await client.signInAsGuest(values.name);
await client.connect();
const room = await client.join(code);
console.log(`${me.name} joined ${room.code} (${room.state.players.length} players, ${room.state.rolls.length} rolls)`);

/** @param {string} formula */
async function roll(formula) {
  try {
    const r = await dice.roll(room, formula);
    console.log(`you: ${r.formula} = ${r.total}`);
  } catch (e) {
    console.log(e instanceof RuneForgeError ? `refused: ${e.code}: ${e.message}` : `failed: ${e}`);
  }
}

async function quit() {
  await room.leave().catch(() => {});
  client.close();
  process.exit(0);
}

if (values.every) setInterval(() => roll(values.formula), Number(values.every) * 1000);
process.on('SIGINT', quit);
for await (const line of createInterface({ input: process.stdin })) {
  const text = line.trim();
  if (text === 'quit') await quit();
  else if (text) await roll(text.replace(/^roll\s+/, ''));
}

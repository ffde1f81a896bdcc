// The example bot (examples/bot.mjs) against a real platform (RF_BASE_URL): it joins a room by code, prints the
// rolls in it, rolls when told on stdin, and leaves on `quit`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { RuneForgeClient, dice } from '../src/index.js';

const BASE_URL = (process.env.RF_BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');
const BOT = fileURLToPath(new URL('../examples/bot.mjs', import.meta.url));

const host = new RuneForgeClient({ baseUrl: BASE_URL, WebSocket });
after(() => host.close());

/** The bot's output, line by line, with a way to wait for a line. */
function lines(stream) {
  const seen = [];
  const waiters = [];
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    rest += chunk;
    const parts = rest.split('\n');
    rest = parts.pop();
    for (const line of parts) {
      seen.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  return {
    seen,
    wait(pattern, ms = 15_000) {
      const found = seen.find((l) => pattern.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pattern, resolve };
        waiters.push(w);
        setTimeout(() => reject(new Error(`no line like ${pattern} in:\n${seen.join('\n')}`)), ms);
      });
    },
  };
}

test('the example bot joins by code, prints rolls, rolls when told and leaves', { timeout: 60_000 }, async () => {
  await host.signInAsGuest('Host');
  await host.connect();
  const room = await host.create('dice');
  await dice.roll(room, '1d4');

  const bot = spawn(process.execPath, [BOT, room.code, '--name', 'Robo'], {
    env: { ...process.env, RF_BASE_URL: BASE_URL }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out = lines(bot.stdout);
  const err = lines(bot.stderr);
  const exited = new Promise((resolve) => bot.on('exit', resolve));
  try {
    await out.wait(new RegExp(`^Robo joined ${room.code} \\(2 players, 1 rolls\\)$`));
    await room.waitFor((s) => s.players.some((p) => p.name === 'Robo'));

    const mine = await dice.roll(room, '2d8');
    await out.wait(new RegExp(`^Host rolled 2d8 = ${mine.total}$`));

    bot.stdin.write('roll 3d6+1\n');
    const line = await out.wait(/^you: 3d6\+1 = \d+$/);
    const total = Number(line.split('= ')[1]);
    const seen = await room.waitFor((s) => s.rolls.find((r) => r.name === 'Robo'));
    assert.equal(seen.total, total, 'the host sees the bot\'s roll');

    bot.stdin.write('banana\n');
    await out.wait(/^refused: INVALID_DICE_FORMAT: /);

    bot.stdin.write('quit\n');
    assert.equal(await exited, 0);
    await room.waitFor((s) => !s.players.some((p) => p.name === 'Robo'));
    assert.deepEqual(err.seen, []);
  } finally {
    bot.kill();
  }
});

// `npm pack` makes a tarball that installs on its own (no registry: it has no dependencies) and imports in Node,
// with its .d.ts files made from the JSDoc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SDK = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('npm pack: an installable tarball that imports in Node, types included', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'rf-sdk-pack-'));
  try {
    const { stdout } = await run(npm, ['pack', '--pack-destination', dir, '--json'], { cwd: SDK });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('[')));
    const files = packed.files.map((f) => f.path);
    for (const f of ['src/index.js', 'types/index.d.ts', 'types/games/dice.d.ts', 'examples/bot.mjs', 'README.md']) {
      assert.ok(files.includes(f), `${f} in the tarball`);
    }
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('node_modules/')), 'no tests, no modules');
    const app = path.join(dir, 'app');
    await run('mkdir', ['-p', app]);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module' }));
    await run(npm, ['install', '--offline', '--no-audit', '--no-fund', path.join(dir, packed.filename)], { cwd: app });
    await writeFile(path.join(app, 'check.mjs'), `
      import { RuneForgeClient, PROTOCOL_VERSION, ErrorCodes, dice } from '@runeforge/client';
      import { fold } from '@runeforge/client/games/tactics';
      const c = new RuneForgeClient({ baseUrl: 'http://localhost:1' });
      console.log(JSON.stringify({ v: PROTOCOL_VERSION, code: ErrorCodes.ROOM_FULL, roll: typeof dice.roll,
        fold: typeof fold, url: c.http.socketUrl }));
    `);
    const out = await run(process.execPath, ['check.mjs'], { cwd: app });
    assert.deepEqual(JSON.parse(out.stdout), { v: 1, code: 'ROOM_FULL', roll: 'function', fold: 'function',
      url: 'ws://localhost:1/ws' });
    const manifest = JSON.parse(await readFile(path.join(app, 'node_modules/@runeforge/client/package.json'), 'utf8'));
    assert.equal(manifest.version.split('.')[0], '1', 'the major version is the protocol version');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

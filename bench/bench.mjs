#!/usr/bin/env node
// Load benchmark of a running Rune Forge platform: N rooms x M players on real WebSockets, rolling dice.
// See README.md in this directory for the options and what each column means.

import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Hist } from './lib/hist.mjs';
import { cpuBetween, jitGroup, loadAverage, platformProcesses, sample } from './lib/procs.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

const USAGE = `usage: node bench.mjs [options]

  --base-url URL          the platform (default $RF_BASE_URL or http://localhost:8080); Origin is sent as this
  --mode MODE             tabletop: every player rolls every 2-5 s (uniform); heavy: every 0.5-1.5 s;
                          rate: --rate rolls/s in all, spread evenly over the players;
                          probe: one room, one roll in flight (--probe-rolls), latency only;
                          idle: no player, only the platform's CPU for --duration   (default tabletop)
  --rate R                rolls per second in all, for --mode rate
  --steps LIST            players connected (CCU) per step, ascending, e.g. 500,1000,2000,4000   (default 200)
  --players M             players per room, 1-8 (default 8)
  --warmup S              seconds of load before each step is measured (default 10)
  --steady                after --warmup, warm up 10 s more at a time until the platform's JIT compilers used under
                          5 % of its CPU in two such slices in a row (fresh JVMs compile for ~2 minutes of load),
                          300 s at most
  --duration S            seconds each step is measured (default 30)
  --workers K             generator processes, each owning every K-th room (default 1)
  --formula F             what is rolled (default 1d20+5)
  --timeout S             a roll not seen by every member of its room after S seconds is lost (default 10)
  --connect-concurrency N players signing in and joining at once, per worker (default 16)
  --probe-players M       the probe's room size (default 8)
  --probe-rolls N         measured probe rolls (default 1000)
  --probe-warmup N        unmeasured probe rolls first (default 50)
  --after-load N          after the last step, stop every roll and at once run a probe room (--probe-players) of N
                          rolls, one in flight: how soon latency is back to idle figures after an overload (default 0: none)
  --after-load-wait S     seconds between stopping the load and setting up that probe room (default 0)
  --run-dir DIR           pid files of the platform (default <repo>/.run/pids, what ./run-local.sh writes)
  --pids LIST             more platform processes: name=pid,name=pid (e.g. a test JVM)
  --nats-port P           the port of the NATS server whose CPU counts (default 4222)
  --no-nats               do not count nats-server's CPU
  --postgres              count PostgreSQL's CPU too (every postgres process on the machine)
  --json FILE             also write the results as JSON
  -h, --help`;

let args;
try {
    args = parseArgs({
        options: {
            'base-url': { type: 'string', default: process.env.RF_BASE_URL || 'http://localhost:8080' },
            mode: { type: 'string', default: 'tabletop' },
            rate: { type: 'string' },
            steps: { type: 'string', default: '200' },
            players: { type: 'string', default: '8' },
            warmup: { type: 'string', default: '10' },
            steady: { type: 'boolean', default: false },
            duration: { type: 'string', default: '30' },
            workers: { type: 'string', default: '1' },
            formula: { type: 'string', default: '1d20+5' },
            timeout: { type: 'string', default: '10' },
            'connect-concurrency': { type: 'string', default: '16' },
            'probe-players': { type: 'string', default: '8' },
            'probe-rolls': { type: 'string', default: '1000' },
            'probe-warmup': { type: 'string', default: '50' },
            'after-load': { type: 'string', default: '0' },
            'after-load-wait': { type: 'string', default: '0' },
            'run-dir': { type: 'string', default: join(HERE, '..', '.run', 'pids') },
            pids: { type: 'string', default: '' },
            'nats-port': { type: 'string', default: '4222' },
            'no-nats': { type: 'boolean', default: false },
            postgres: { type: 'boolean', default: false },
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

function num(name, { min = 0, integer = false } = {}) {
    const v = Number(args[name]);
    if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
        console.error(`--${name} ${args[name]}: expected a ${integer ? 'whole ' : ''}number >= ${min}`);
        process.exit(2);
    }
    return v;
}

const MODES = { tabletop: [2000, 5000], heavy: [500, 1500], rate: null, probe: null, idle: null };
if (!(args.mode in MODES)) {
    console.error(`--mode ${args.mode}: one of ${Object.keys(MODES).join(', ')}`);
    process.exit(2);
}
if (args.mode === 'rate' && args.rate === undefined) {
    console.error('--mode rate needs --rate R (rolls per second in all)');
    process.exit(2);
}
const base = new URL(args['base-url']);
const opts = {
    baseUrl: base.origin,
    origin: base.origin,
    wsUrl: `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}/ws`,
    formula: args.formula,
    players: num('players', { min: 1, integer: true }),
    timeoutMs: num('timeout', { min: 0.1 }) * 1000,
    connectConcurrency: num('connect-concurrency', { min: 1, integer: true }),
};
const steps = args.steps.split(',').map((s) => Number(s.trim()));
if (steps.some((s) => !Number.isInteger(s) || s < 1)) {
    console.error(`--steps ${args.steps}: whole numbers of players, e.g. 500,1000,2000`);
    process.exit(2);
}
const warmup = num('warmup');
const duration = num('duration', { min: 0.1 });
const workerCount = num('workers', { min: 1, integer: true });
const rate = args.mode === 'rate' ? num('rate', { min: 0.001 }) : null;

const started = performance.now();
const log = (msg) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- processes --------------------------------------------------------------------------------------------------

let platform;
try {
    platform = platformProcesses({
        runDir: args['run-dir'],
        pids: args.pids ? args.pids.split(',').map((s) => s.trim()).filter(Boolean) : [],
        nats: !args['no-nats'],
        natsPort: Number(args['nats-port']),
        postgres: args.postgres,
        log,
    });
} catch (e) {
    console.error(e.message);
    process.exit(2);
}
if (platform.length === 0) log('no platform process found: platform CPU will not be reported (see --pids)');

class Worker {
    constructor(index) {
        this.index = index;
        this.name = `w${index}`;
        this.waiters = [];
        this.child = fork(join(HERE, 'lib', 'worker.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        this.child.on('message', (m) => this.onMessage(m));
        this.child.on('exit', (code) => {
            if (!stopping) fail(`generator ${this.name} exited (status ${code})`);
        });
    }

    onMessage(m) {
        if (m.ev === 'failed') fail(`generator ${this.name} failed: ${m.message}`);
        if (m.ev === 'progress') {
            this.progress = m;
            return;
        }
        const k = this.waiters.findIndex((w) => w.match(m));
        if (k >= 0) this.waiters.splice(k, 1)[0].resolve(m);
    }

    /** Sends cmd (unless null) and waits for the message that match() accepts. */
    ask(cmd, match) {
        const answer = new Promise((resolve) => this.waiters.push({ match, resolve }));
        if (cmd) this.tell(cmd);
        return answer;
    }

    tell(cmd) {
        this.child.send(cmd);
    }
}

let stopping = false;
function fail(message) {
    console.error(`bench: ${message}`);
    stopping = true;
    for (const w of workers) w.child.kill();
    process.exit(1);
}

const workers = Array.from({ length: workerCount }, (_, i) => new Worker(i));
const generator = [
    { name: 'coord', pids: () => [process.pid] },
    ...workers.map((w) => ({ name: w.name, pids: () => [w.child.pid] })),
];
await Promise.all(workers.map((w) => w.ask({ cmd: 'init', opts, worker: w.index }, (m) => m.ev === 'ready')));

// --- results ----------------------------------------------------------------------------------------------------

function merge(reports) {
    const out = { sent: 0, done: 0, hist: new Hist(), lag: new Hist(), refused: new Hist(), errors: {}, lost: 0, noAnswer: 0, dup: 0, gaps: 0, closed: 0 };
    for (const r of reports) {
        for (const k of ['sent', 'done', 'lost', 'noAnswer', 'dup', 'gaps', 'closed']) out[k] += r[k];
        out.hist.merge(Hist.from(r.hist));
        out.lag.merge(Hist.from(r.lag));
        out.refused.merge(Hist.from(r.refused));
        for (const [code, n] of Object.entries(r.errors)) out.errors[code] = (out.errors[code] ?? 0) + n;
    }
    return out;
}

function row({ ccu, rooms, seconds, stats, cpu, load }) {
    const platformCpu = platform.reduce((s, g) => s + cpu[g.name], 0);
    const generatorCpu = generator.reduce((s, g) => s + cpu[g.name], 0);
    const busiest = workers.reduce((b, w) => (cpu[w.name] > cpu[b.name] ? w : b), workers[0]);
    const q = (x) => Math.round(stats.hist.quantile(x) * 100) / 100;
    return {
        ccu,
        rooms,
        seconds: Math.round(seconds * 100) / 100,
        offered: stats.sent / seconds,
        achieved: stats.done / seconds,
        sent: stats.sent,
        completed: stats.done,
        latencyMs: {
            p50: q(0.5), p90: q(0.9), p99: q(0.99), max: stats.hist.count ? Math.round(stats.hist.max * 100) / 100 : NaN,
            mean: stats.hist.mean(),
        },
        errors: stats.errors,
        refusedMs: { p99: stats.refused.quantile(0.99), max: stats.refused.count ? stats.refused.max : NaN },
        lost: stats.lost,
        noAnswer: stats.noAnswer,
        dup: stats.dup,
        gaps: stats.gaps,
        closed: stats.closed,
        generatorLagP99Ms: stats.lag.quantile(0.99),
        cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round(v * 1000) / 1000])),
        platformCpuPercent: platform.length ? (platformCpu / seconds) * 100 : null,
        platformCpuMsPerRoll: platform.length && stats.done ? (platformCpu * 1000) / stats.done : null,
        jitCpuSeconds: Math.round((cpu.jit ?? 0) * 1000) / 1000,
        generatorCpuPercent: (generatorCpu / seconds) * 100,
        busiestGenerator: { name: busiest.name, cpuPercent: (cpu[busiest.name] / seconds) * 100 },
        load,
    };
}

const COLUMNS = [
    ['ccu', 6, (r) => r.ccu],
    ['rooms', 6, (r) => r.rooms],
    ['offered/s', 10, (r) => r.offered.toFixed(1)],
    ['achieved/s', 11, (r) => r.achieved.toFixed(1)],
    ['p50 ms', 8, (r) => fmt(r.latencyMs.p50)],
    ['p90 ms', 8, (r) => fmt(r.latencyMs.p90)],
    ['p99 ms', 8, (r) => fmt(r.latencyMs.p99)],
    ['max ms', 8, (r) => fmt(r.latencyMs.max)],
    ['lost', 6, (r) => r.lost],
    ['noans', 6, (r) => r.noAnswer],
    ['refuse max', 11, (r) => fmt(r.refusedMs.max)],
    ['dup', 5, (r) => r.dup],
    ['gaps', 5, (r) => r.gaps],
    ['closed', 7, (r) => r.closed],
    ['plat cpu%', 10, (r) => (r.platformCpuPercent === null ? '-' : r.platformCpuPercent.toFixed(0))],
    ['ms/roll', 8, (r) => (r.platformCpuMsPerRoll === null ? '-' : r.platformCpuMsPerRoll.toFixed(2))],
    ['gen cpu%', 9, (r) => r.generatorCpuPercent.toFixed(0)],
    ['lag99 ms', 9, (r) => fmt(r.generatorLagP99Ms)],
    ['load1', 6, (r) => r.load[0].toFixed(2)],
    ['errors', 0, (r) => errorText(r.errors)],
];

function fmt(v) {
    if (!Number.isFinite(v)) return '-';
    return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function errorText(errors) {
    const e = Object.entries(errors);
    return e.length ? e.sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}:${n}`).join(' ') : '-';
}

const line = (cells) => cells.map(([text, width]) => String(text).padStart(width)).join(' ');
const header = () => line(COLUMNS.map(([h, w]) => [h, w]));
const format = (r) => line(COLUMNS.map(([, w, f]) => [f(r), w]));

function cpuTable(rows) {
    const names = [...platform.map((g) => g.name), ...generator.map((g) => g.name), jit.name];
    const widths = names.map((n) => Math.max(n.length, 11));
    const out = [
        `CPU during each measured step: % of one core (seconds); platform: ${platform.map((g) => g.name).join(', ') || 'none'}; generator: ${generator.map((g) => g.name).join(', ')}; ` +
        `${jit.name}: the platform JVMs' JIT compilers (part of the platform's)`,
        line([['ccu', 6], ...names.map((n, i) => [n, widths[i]])]),
    ];
    for (const r of rows) {
        out.push(line([[r.ccu, 6], ...names.map((n, i) =>
            [`${((r.cpuSeconds[n] / r.seconds) * 100).toFixed(0)}% (${r.cpuSeconds[n].toFixed(1)})`, widths[i]])]));
    }
    return out.join('\n');
}

// --- the run ----------------------------------------------------------------------------------------------------

// The platform JVMs' JIT compilers: part of the platform's CPU, shown apart (a step they work in is not yet steady).
const jit = jitGroup(platform);
const all = [...platform, ...generator, jit];
const rows = [];

async function measure(start, finish) {
    const cpu0 = sample(all);
    const t0 = performance.now();
    await start();
    const cpu1 = sample(all);
    const t1 = performance.now();
    const load = loadAverage();
    const reports = await finish();
    return { cpu: cpuBetween(cpu0, cpu1), seconds: (t1 - t0) / 1000, load, reports };
}

/**
 * --steady: the share of the platform's CPU its JIT compilers may use in a slice that counts as steady, how many
 * such slices in a row it takes, the slice, and the most it waits. Compiled JVMs keep recompiling a little (1-5 % of
 * the platform's CPU at 4,000 players, now and then a slice of 15 %), so "none at all" would never come.
 */
const STEADY = { jitShare: 0.05, slices: 2, sliceSeconds: 10, maxSeconds: 300 };

/** Keeps the load on, a slice at a time, until the platform's JIT compilers are (nearly) done, or gives up. */
async function untilSteady(what) {
    const giveUp = performance.now() + STEADY.maxSeconds * 1000;
    let quiet = 0;
    for (;;) {
        const before = sample([jit, ...platform]);
        await sleep(STEADY.sliceSeconds * 1000);
        const cpu = cpuBetween(before, sample([jit, ...platform]));
        const used = cpu[jit.name];
        const all = platform.reduce((sum, g) => sum + cpu[g.name], 0);
        const share = all > 0 ? used / all : 0;
        const said = `the JIT compilers used ${used.toFixed(1)} s of the platform's ${all.toFixed(1)} s in the last ` +
            `${STEADY.sliceSeconds} s (${(share * 100).toFixed(0)} %)`;
        quiet = share < STEADY.jitShare ? quiet + 1 : 0;
        if (quiet >= STEADY.slices) {
            log(`${what}: steady: ${said}`);
            return;
        }
        if (performance.now() > giveUp) {
            log(`${what}: not steady after ${STEADY.maxSeconds} s more (${said}): measuring anyway`);
            return;
        }
        log(`${what}: ${said}: warming up ${STEADY.sliceSeconds} s more`);
    }
}

async function steppedRun() {
    let rooms = 0;
    let players = 0;
    let windowId = 0;
    console.log(`# ${args.mode}${rate ? ` ${rate} rolls/s` : ''}, ${opts.players} players a room, rolling ${opts.formula}, ` +
        `${warmup} s warm-up${args.steady ? ' (then until steady)' : ''} + ${duration} s measured per step, ${workerCount} generator process(es), against ${opts.baseUrl}`);
    console.log(header());
    for (const ccu of steps) {
        const target = Math.max(rooms, Math.ceil(ccu / opts.players));
        const share = workers.map(() => []);
        for (let i = rooms; i < target; i++) share[i % workerCount].push(i);
        log(`step ${ccu}: setting up ${target - rooms} more room(s) of ${opts.players}`);
        const before = players;
        const ticker = setInterval(() => {
            const now = workers.reduce((n, w) => n + (w.progress?.players ?? 0), 0);
            log(`step ${ccu}: ${before + now} players in rooms so far`);
        }, 10_000);
        for (const w of workers) w.progress = null;
        const grown = await Promise.all(workers.map((w, i) => w.ask({ cmd: 'grow', rooms: share[i] }, (m) => m.ev === 'grown')));
        clearInterval(ticker);
        rooms = target;
        players = grown.reduce((n, g) => n + g.players, 0);
        const roomsUp = grown.reduce((n, g) => n + g.rooms, 0);
        const setupErrors = {};
        for (const g of grown) for (const [c, n] of Object.entries(g.setupErrors)) setupErrors[c] = (setupErrors[c] ?? 0) + n;
        log(`step ${ccu}: ${roomsUp} rooms, ${players} players connected (set-up ${Math.max(...grown.map((g) => g.seconds)).toFixed(1)} s` +
            `${Object.keys(setupErrors).length ? `, set-up errors ${errorText(setupErrors)}` : ''})`);
        if (players === 0) fail('no player could join a room: is the platform up, and are the sign-in and room limits lifted (README)?');
        for (const w of workers) {
            const mine = grown[w.index].players;
            let [min, max] = MODES[args.mode] ?? [0, 0];
            if (rate) {
                const mean = (players / rate) * 1000; // each player's mean interval for rate rolls/s in all
                [min, max] = [mean * 0.5, mean * 1.5];
            }
            if (mine > 0) w.tell({ cmd: 'pace', min, max });
        }
        log(`step ${ccu}: warming up ${warmup} s`);
        await sleep(warmup * 1000);
        if (args.steady) await untilSteady(`step ${ccu}`);
        const id = ++windowId;
        log(`step ${ccu}: measuring ${duration} s`);
        const m = await measure(
            async () => {
                for (const w of workers) w.tell({ cmd: 'window', id });
                await sleep(duration * 1000);
                for (const w of workers) w.tell({ cmd: 'close', id });
            },
            () => Promise.all(workers.map((w) => w.ask(null, (msg) => msg.ev === 'report' && msg.id === id)
                .then((msg) => msg.stats))),
        );
        const r = row({ ccu: players, rooms: roomsUp, seconds: m.seconds, stats: merge(m.reports), cpu: m.cpu, load: m.load });
        r.setupErrors = setupErrors;
        rows.push(r);
        console.log(format(r));
        log(`step ${ccu}: CPU, % of one core: ${[...platform, ...generator]
            .map((g) => `${g.name} ${((r.cpuSeconds[g.name] / r.seconds) * 100).toFixed(0)}`).join(', ')}`);
        if (r.jitCpuSeconds > STEADY.jitShare * (r.platformCpuPercent / 100) * r.seconds) {
            log(`step ${ccu}: the JVMs' JIT compilers used ${r.jitCpuSeconds.toFixed(1)} s of the platform's CPU in it: ` +
                'not yet steady (a longer --warmup measures the compiled code)');
        }
        if (r.busiestGenerator.cpuPercent > 80) {
            log(`generator ${r.busiestGenerator.name} used ${r.busiestGenerator.cpuPercent.toFixed(0)}% of a core: ` +
                'it may be the bottleneck (more --workers)');
        }
    }
}

/** The load stops (no player rolls any more); at once a fresh room of --probe-players rolls N times, one in flight. */
async function afterLoad(count) {
    const size = num('probe-players', { min: 1, integer: true });
    for (const w of workers) w.tell({ cmd: 'quiet' });
    const stopped = performance.now();
    const wait = num('after-load-wait');
    log(`after the load: every roll stopped; ${wait > 0 ? `in ${wait} s ` : ''}a probe room of ${size} sets up and rolls ${count} times, one in flight`);
    await sleep(wait * 1000);
    const w = workers[0];
    const probing = w.ask({ cmd: 'probe', players: size, rolls: count, warmup: 0 }, (m) => m.ev === 'probing');
    const report = w.ask(null, (m) => m.ev === 'report' && m.id === 'probe');
    const first = await probing;
    log(`after the load: the probe room's ${first.members} members joined ${((performance.now() - stopped) / 1000).toFixed(1)} s after the load stopped`);
    const m = await measure(() => report, () => report.then((msg) => [msg.stats]));
    const r = row({ ccu: first.members, rooms: 1, seconds: m.seconds, stats: merge(m.reports), cpu: m.cpu, load: m.load });
    r.afterLoad = true;
    rows.push(r);
    console.log(`# after the load: the probe room, its ${count} rolls measured from ${((performance.now() - stopped) / 1000 - m.seconds).toFixed(1)} s after the load stopped`);
    console.log(format(r));
}

async function probeRun() {
    const size = num('probe-players', { min: 1, integer: true });
    const count = num('probe-rolls', { min: 1, integer: true });
    const warm = num('probe-warmup', { integer: true });
    console.log(`# probe: one room of ${size}, one ${opts.formula} roll in flight, ${count} rolls measured after ${warm}, against ${opts.baseUrl}`);
    const w = workers[0];
    const probing = w.ask({ cmd: 'probe', players: size, rolls: count, warmup: warm }, (m) => m.ev === 'probing');
    const report = w.ask(null, (m) => m.ev === 'report' && m.id === 'probe');
    const first = await probing;
    log(`probe: ${first.members} members joined; measuring ${count} rolls`);
    const m = await measure(() => report, () => report.then((msg) => [msg.stats]));
    console.log(header());
    const r = row({ ccu: first.members, rooms: 1, seconds: m.seconds, stats: merge(m.reports), cpu: m.cpu, load: m.load });
    rows.push(r);
    console.log(format(r));
}

async function idleRun() {
    console.log(`# idle: no player, ${duration} s`);
    const m = await measure(() => sleep(duration * 1000), async () => []);
    const r = row({ ccu: 0, rooms: 0, seconds: m.seconds, stats: merge([]), cpu: m.cpu, load: m.load });
    rows.push(r);
    console.log(`idle platform CPU: ${r.platformCpuPercent === null ? '-' : `${r.platformCpuPercent.toFixed(1)}% of one core`}` +
        `; load average ${r.load.join(' ')}`);
}

if (args.mode === 'idle') {
    await idleRun();
} else if (args.mode === 'probe') {
    if (workerCount > 1) log('probe: one generator is enough; the others stay idle');
    await probeRun();
} else {
    await steppedRun();
    const after = num('after-load', { integer: true });
    if (after > 0) await afterLoad(after);
}

console.log();
console.log(cpuTable(rows));
stopping = true;
const stopped = await Promise.all(workers.map((w) => w.ask({ cmd: 'stop' }, (m) => m.ev === 'stopped')));
const totals = merge(stopped.map((s) => s.totals));
const whole = {
    sent: totals.sent, lost: totals.lost, noAnswer: totals.noAnswer, dup: totals.dup, gaps: totals.gaps,
    closed: totals.closed, errors: totals.errors,
};
console.log(`\nwhole run (warm-ups included): ${whole.sent} rolls sent, ${whole.lost} lost, ${whole.noAnswer} unanswered, ` +
    `${whole.dup} duplicated and ${whole.gaps} gapped events, ${whole.closed} sockets closed, errors ${errorText(whole.errors)}`);
if (args.json) {
    writeFileSync(args.json, `${JSON.stringify({
        mode: args.mode, rate, players: opts.players, formula: opts.formula, baseUrl: opts.baseUrl, warmup, steady: args.steady, duration,
        workers: workerCount, platform: platform.map((g) => g.name), steps: rows, whole,
    }, null, 2)}\n`);
}
process.exit(0);

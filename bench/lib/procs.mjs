// CPU time of processes from /proc/<pid>/stat (utime + stime, every thread of the process), and which processes
// make up the platform.

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';

let clockTicks = 100;
try {
    clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
    // getconf missing: Linux's USER_HZ is 100 everywhere that matters
}

/** CPU seconds (user + system) in a `stat` file of /proc (a process's or a thread's), or null when it is gone. */
function statSeconds(path) {
    let stat;
    try {
        stat = readFileSync(path, 'latin1');
    } catch {
        return null;
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks; // utime, stime (fields 14 and 15)
}

/** CPU seconds the process has used so far (user + system), or null when it is gone. */
export function cpuSeconds(pid) {
    return statSeconds(`/proc/${pid}/stat`);
}

/**
 * CPU seconds the JVM's JIT compiler threads ("C1 CompilerThre…", "C2 CompilerThre…") have used so far: 0 for a
 * process that is no JVM, null when it is gone. A JVM compiles its hot code in its first minutes under load (on a
 * 2-core box some 20 s of CPU per service), so this tells a measured step that is not yet steady.
 */
export function jitSeconds(pid) {
    let tasks;
    try {
        tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
        return null;
    }
    let seconds = 0;
    for (const task of tasks) {
        let name;
        try {
            name = readFileSync(`/proc/${pid}/task/${task}/comm`, 'latin1');
        } catch {
            continue; // the thread ended meanwhile (compiler threads come and go with the queue)
        }
        if (/^C[12] CompilerThre/.test(name)) seconds += statSeconds(`/proc/${pid}/task/${task}/stat`) ?? 0;
    }
    return seconds;
}

/** A group of {@code groups}' processes whose CPU is their JIT compilers' alone ({@link jitSeconds}). */
export function jitGroup(groups, name = 'jit') {
    return { name, pids: () => groups.flatMap((g) => g.pids()), cpu: jitSeconds };
}

export function alive(pid) {
    return existsSync(`/proc/${pid}/stat`);
}

function comm(pid) {
    try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
        return null;
    }
}

function cmdline(pid) {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
        return [];
    }
}

/** Inodes of the sockets listening on TCP port `port` (IPv4 and IPv6). */
function listeningInodes(port) {
    const inodes = new Set();
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
        let text;
        try {
            text = readFileSync(file, 'utf8');
        } catch {
            continue;
        }
        for (const line of text.split('\n').slice(1)) {
            const f = line.trim().split(/\s+/);
            if (f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port) inodes.add(f[9]);
        }
    }
    return inodes;
}

/** True when process pid holds one of the socket inodes. */
function holdsSocket(pid, inodes) {
    try {
        return readdirSync(`/proc/${pid}/fd`).some((fd) => {
            try {
                const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
                return m !== null && inodes.has(m[1]);
            } catch {
                return false;
            }
        });
    } catch {
        return false;
    }
}

function allPids() {
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** 1, 5 and 15 minute load averages. */
export function loadAverage() {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

const SHORT = {
    'gateway-service': 'gateway',
    'auth-service': 'auth',
    'game-instance-service': 'game',
    'persistence-service': 'persistence',
    'media-token-service': 'media',
};

/** gateway-service -> gateway; game-instance-service-2 (a second instance's pid file) -> game2. */
function shortName(file) {
    const m = /^(.*?-service)(?:-(\d+))?$/.exec(file);
    return m ? `${SHORT[m[1]] ?? m[1]}${m[2] ?? ''}` : file;
}

const ORDER = ['gateway', 'auth', 'game', 'persistence', 'media'];
const rank = (file) => {
    const k = ORDER.indexOf(shortName(file).replace(/\d+$/, ''));
    return k < 0 ? ORDER.length : k;
};

/**
 * The platform's processes, as groups: { name, pids() } where pids() is asked at every sample (PostgreSQL's
 * backends come and go). Sources, in order: the pid files of ./run-local.sh (runDir), `--pids name=pid,...`,
 * and, when neither names a Java service, every `java -jar .../<service>.jar` on the machine (a shared machine
 * may run several platforms: check the list printed at the start). nats-server is the one listening on natsPort
 * (every nats-server process when none can be seen to), PostgreSQL every postgres process.
 */
export function platformProcesses({ runDir, pids = [], nats = true, natsPort = 4222, postgres = false, log = () => {} }) {
    const groups = [];
    const named = new Set();
    const add = (name, pidList) => {
        let n = name;
        for (let k = 2; named.has(n); k++) n = `${name}${k}`;
        named.add(n);
        const fixed = [...pidList];
        groups.push({ name: n, pids: () => fixed });
    };
    if (runDir && existsSync(runDir)) {
        const files = readdirSync(runDir).filter((f) => f.endsWith('.pid')).map((f) => basename(f, '.pid'))
            .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }));
        for (const file of files) {
            const pid = Number(readFileSync(join(runDir, `${file}.pid`), 'utf8').trim());
            if (pid > 0 && alive(pid)) add(shortName(file), [pid]);
        }
        if (groups.length) log(`platform processes from ${runDir}: ${describe(groups)}`);
    }
    // ./run-local.sh runs its own nats-server and writes its pid file too: counted once, as "nats".
    const natsFile = groups.findIndex((g) => g.name === 'nats-server');
    const natsFromFile = natsFile >= 0 ? groups.splice(natsFile, 1)[0].pids() : [];
    for (const spec of pids) {
        const [name, pid] = spec.includes('=') ? spec.split('=') : [null, spec];
        const n = Number(pid);
        if (!(n > 0) || !alive(n)) throw new Error(`--pids: no process ${pid}`);
        add(name || comm(n) || String(n), [n]);
    }
    if (groups.length === 0) {
        for (const pid of allPids()) {
            if (comm(pid) !== 'java') continue;
            const args = cmdline(pid);
            const jar = args[args.indexOf('-jar') + 1];
            const m = args.includes('-jar') && jar ? /([a-z-]+-service)\.jar$/.exec(jar) : null;
            if (m) add(shortName(m[1]), [pid]);
        }
        if (groups.length) {
            log(`platform processes found by name (no pid files, no --pids; on a shared machine these may include ` +
                `other platforms): ${describe(groups)}`);
        }
    }
    if (nats) {
        // The nats-server listening on the platform's port; every nats-server when that cannot be told.
        const all = allPids().filter((p) => comm(p) === 'nats-server');
        const inodes = listeningInodes(natsPort);
        const listening = all.filter((p) => holdsSocket(p, inodes));
        const found = natsFromFile.length ? natsFromFile : listening.length ? listening : all;
        if (found.length) {
            add('nats', found);
            log(`nats-server: pid ${found.join(', ')}${natsFromFile.length ? ' (the platform\'s own, from its pid file)'
                : listening.length ? ` (port ${natsPort})` : ' (every nats-server: none seen listening on the port)'}, ` +
                'shared by everything that uses it');
        }
    }
    if (postgres) {
        add('postgres', []);
        groups[groups.length - 1].pids = () => allPids().filter((p) => comm(p) === 'postgres');
        log('postgres: every postgres process, summed (shared by every database on this server)');
    }
    return groups;
}

function describe(groups) {
    return groups.map((g) => `${g.name}=${g.pids().join('+')}`).join(' ');
}

/** CPU seconds per group and process now: { name: { pid: seconds } }. */
export function sample(groups) {
    const out = {};
    for (const g of groups) {
        const per = {};
        for (const pid of g.pids()) {
            const s = (g.cpu ?? cpuSeconds)(pid);
            if (s !== null) per[pid] = s;
        }
        out[g.name] = per;
    }
    return out;
}

/**
 * CPU seconds each group used between two samples. A process that started in between counts whole; one that
 * ended in between counts nothing (its last moments are lost: only PostgreSQL's backends come and go).
 */
export function cpuBetween(before, after) {
    const out = {};
    for (const [name, per] of Object.entries(after)) {
        let s = 0;
        for (const [pid, secs] of Object.entries(per)) s += secs - (before[name]?.[pid] ?? 0);
        out[name] = s;
    }
    return out;
}

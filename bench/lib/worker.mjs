// One generator process: owns a share of the rooms, their players' sockets and their rolls. Started by
// bench.mjs (child_process.fork) and driven over IPC:
//   {cmd:'init', opts, worker}                    -> {ev:'ready'}
//   {cmd:'grow', rooms:[room indexes]}            -> {ev:'grown', rooms, players, setupErrors, seconds}
//   {cmd:'pace', min, max}                        every player rolls every uniform(min, max) ms from now on
//   {cmd:'quiet'}                                 no player rolls any more (rolls in flight still settle)
//   {cmd:'window', id}                            rolls sent from now on belong to measurement window id
//   {cmd:'close', id}                             window id ends; answered, once all of its rolls are settled
//                                                 (seen by every member, refused, or timed out), by
//                                                 {ev:'report', id, stats}
//   {cmd:'probe', players, rolls, warmup}         one room, one roll in flight: {ev:'probing'} after the warm-up
//                                                 rolls, then {ev:'report', id:'probe', stats}
//   {cmd:'stop'}                                  -> {ev:'stopped', totals}, then exits
//
// The hot path (every frame every socket receives) avoids JSON.parse: event frames are read by position
// ('{"type":"event","session":"…","seq":N,"body":{"type":"rolled","roll":{…"action":"<player>:<id>"…'), and
// only rare frames (welcome, joined, error, left) are parsed. Rolls are scheduled from one min-heap with one
// timer, and timed-out rolls are swept every 250 ms in send order, so there is no timer per roll.

import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { Hist } from './hist.mjs';

const now = () => performance.now();

let opts;
let workerId = 0;
let rollCounter = 0;
let stopping = false;

const rooms = []; // rooms this worker has set up
const pending = new Map(); // roll id -> roll in flight (insertion order = send order)
let pace = null; // { min, max } ms between one player's rolls, or null: not rolling
let currentWindow = 0; // 0 = outside any measurement window

// --- statistics -------------------------------------------------------------------------------------------------

function newStats() {
    return {
        sent: 0, // rolls sent
        done: 0, // rolls every member of the room saw
        hist: new Hist(), // send -> the last member's rolled event, ms
        lag: new Hist(), // scheduled -> sent, ms (the generator's own delay)
        refused: new Hist(), // send -> the error frame that refused a roll (BUSY, UNAVAILABLE, …), ms
        errors: {}, // error frames by code (rolls refused, or unsolicited)
        lost: 0, // accepted (or seen by someone) but not seen by every member within the timeout
        noAnswer: 0, // neither accepted, refused nor seen by anyone within the timeout
        dup: 0, // an event seq a socket had already had
        gaps: 0, // an event seq more than one above the socket's last
        closed: 0, // sockets closed or removed from their room
        pending: 0, // rolls of this window still in flight
    };
}

const windows = new Map([[0, newStats()]]); // window id -> stats; 0 collects what falls outside windows
const totals = newStats(); // the whole run, windows or not (correctness counters only)
const closing = new Set(); // window ids whose report is owed once their rolls are settled

function statsOf(win) {
    let s = windows.get(win);
    if (!s) windows.set(win, (s = newStats()));
    return s;
}

function countError(win, code) {
    const s = statsOf(win);
    s.errors[code] = (s.errors[code] ?? 0) + 1;
    totals.errors[code] = (totals.errors[code] ?? 0) + 1;
}

function settled(roll) {
    pending.delete(roll.id);
    const s = statsOf(roll.win);
    s.pending--;
    if (s.pending === 0 && closing.has(roll.win)) report(roll.win);
}

function report(win) {
    closing.delete(win);
    const s = windows.get(win) ?? newStats();
    windows.delete(win);
    send({ ev: 'report', id: win, stats: serialize(s) });
}

function serialize(s) {
    return { ...s, hist: s.hist.toJSON(), lag: s.lag.toJSON(), refused: s.refused.toJSON() };
}

function send(msg) {
    process.send(msg);
}

// --- players and sockets ----------------------------------------------------------------------------------------

class Player {
    constructor(room, name) {
        this.room = room;
        this.name = name;
        this.ws = null;
        this.lastSeq = -1; // -1 until joined
        this.waiter = null; // during set-up: { expect, ref, resolve, reject }
        this.open = false;
        this.nextAt = 0;
        this.heapIndex = -1;
    }
}

async function signIn(name, setupErrors) {
    for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${opts.baseUrl}/api/auth/guest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name }),
        });
        if (res.ok) {
            await res.arrayBuffer();
            return res.headers.getSetCookie().map((c) => c.split(';', 1)[0]).join('; ');
        }
        const body = await res.text();
        let code = `HTTP_${res.status}`;
        try {
            code = JSON.parse(body).code ?? code;
        } catch {
            // not JSON
        }
        setupErrors[`signin ${code}`] = (setupErrors[`signin ${code}`] ?? 0) + 1;
        if (res.status !== 429 || attempt >= 5) throw new Error(`sign-in of ${name}: ${res.status} ${body}`);
        const wait = Number(res.headers.get('retry-after')) || 1;
        await sleep(Math.min(wait, 10) * 1000);
    }
}

function expect(p, what, ref, sendFirst) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            p.waiter = null;
            reject(new Error(`${p.name}: no ${what} within 20 s`));
        }, 20_000);
        p.waiter = {
            expect: what,
            ref,
            resolve: (v) => {
                clearTimeout(timer);
                p.waiter = null;
                resolve(v);
            },
            reject: (e) => {
                clearTimeout(timer);
                p.waiter = null;
                reject(e);
            },
        };
        if (sendFirst) p.ws.send(sendFirst);
    });
}

function connect(p, cookie) {
    return new Promise((resolve, reject) => {
        const ws = new WebSocket(opts.wsUrl, {
            origin: opts.origin,
            headers: { Cookie: cookie },
            perMessageDeflate: false,
            skipUTF8Validation: true,
            handshakeTimeout: 20_000,
        });
        p.ws = ws;
        ws.on('open', () => {
            p.open = true;
            resolve();
        });
        ws.on('error', (e) => {
            if (!p.open) reject(e);
        });
        ws.on('unexpected-response', (req, res) => {
            reject(new Error(`${p.name}: upgrade refused with HTTP ${res.statusCode}`));
            req.destroy();
        });
        ws.on('message', (data) => onFrame(p, data.toString()));
        ws.on('close', () => {
            const was = p.open;
            p.open = false;
            if (was && !stopping) {
                statsOf(currentWindow).closed++;
                totals.closed++;
            }
            if (p.waiter) p.waiter.reject(new Error(`${p.name}: socket closed`));
        });
    });
}

const EVENT = '{"type":"event","session":"';
const ROLLED = '"body":{"type":"rolled"';
const ACCEPTED = '{"type":"accepted","id":"';

function onFrame(p, t) {
    if (t.startsWith(EVENT)) {
        const at = t.indexOf('","seq":', EVENT.length);
        if (at > 0) {
            let j = at + 8;
            let seq = 0;
            let c;
            const digits = j;
            while ((c = t.charCodeAt(j)) >= 48 && c <= 57) {
                seq = seq * 10 + (c - 48);
                j++;
            }
            if (j > digits && t.charCodeAt(j) === 44 /* , */) {
                onEvent(p, seq, t, j + 1);
                return;
            }
        }
    } else if (t.startsWith(ACCEPTED)) {
        const end = t.indexOf('"', ACCEPTED.length);
        const roll = pending.get(t.slice(ACCEPTED.length, end));
        if (roll) roll.accepted = true;
        return;
    }
    slowFrame(p, t);
}

function onEvent(p, seq, t, bodyAt) {
    if (p.lastSeq < 0) return; // before the joined view: the gateway never sends these
    if (seq <= p.lastSeq) {
        statsOf(currentWindow).dup++;
        totals.dup++;
        return;
    }
    if (seq > p.lastSeq + 1) {
        statsOf(currentWindow).gaps++;
        totals.gaps++;
    }
    p.lastSeq = seq;
    if (!t.startsWith(ROLLED, bodyAt)) return;
    const a = t.indexOf('"action":"', bodyAt);
    if (a < 0) return;
    const colon = t.indexOf(':', a + 10);
    const roll = pending.get(t.slice(colon + 1, t.indexOf('"', colon)));
    if (!roll) return; // another worker's, or settled already (timed out)
    if (++roll.seen === roll.room.members) {
        const s = statsOf(roll.win);
        s.done++;
        s.hist.record(now() - roll.t0);
        settled(roll);
        if (roll.onSettled) roll.onSettled();
    }
}

function slowFrame(p, t) {
    let m;
    try {
        m = JSON.parse(t);
    } catch {
        countError(currentWindow, 'UNREADABLE_FRAME');
        return;
    }
    switch (m.type) {
        case 'welcome':
            if (p.waiter?.expect === 'welcome') p.waiter.resolve(m);
            break;
        case 'joined':
            p.lastSeq = m.seq;
            if (p.waiter?.expect === 'joined') p.waiter.resolve(m);
            break;
        case 'event': // an event frame laid out otherwise than expected
            onEvent(p, m.seq, JSON.stringify({ body: m.body }), 1);
            break;
        case 'error': {
            if (p.waiter && m.ref && m.ref === p.waiter.ref) {
                p.waiter.reject(new Error(`${p.name}: ${m.code} ${m.message}`));
                break;
            }
            const roll = m.ref ? pending.get(m.ref) : undefined;
            countError(roll ? roll.win : currentWindow, m.code);
            if (roll) {
                statsOf(roll.win).refused.record(now() - roll.t0);
                settled(roll);
                if (roll.onSettled) roll.onSettled();
            }
            break;
        }
        case 'left':
            statsOf(currentWindow).closed++;
            totals.closed++;
            p.lastSeq = -1;
            break;
        default:
            break;
    }
}

// --- rooms ------------------------------------------------------------------------------------------------------

async function setUpPlayer(p, setupErrors) {
    const cookie = await signIn(p.name, setupErrors);
    await connect(p, cookie);
    await expect(p, 'welcome', null, '{"type":"hello","v":1}');
}

async function setUpRoom(index, size, setupErrors) {
    const room = { index, session: null, code: null, members: 0, players: [], rollPrefix: '' };
    const name = (k) => `R${index}P${k}`;
    const creator = new Player(room, name(0));
    try {
        await setUpPlayer(creator, setupErrors);
        const joined = await expectAgain(creator, 'joined', 'c0',
            JSON.stringify({ type: 'create', id: 'c0', game: 'dice', settings: { mode: 'open' } }));
        room.session = joined.session;
        room.code = joined.code;
        room.players.push(creator);
    } catch (e) {
        setupErrors[setupCode(e)] = (setupErrors[setupCode(e)] ?? 0) + 1;
        drop(creator);
        return null;
    }
    const others = [];
    for (let k = 1; k < size; k++) others.push(new Player(room, name(k)));
    await Promise.all(others.map(async (p) => {
        try {
            await setUpPlayer(p, setupErrors);
            await expectAgain(p, 'joined', 'j0', JSON.stringify({ type: 'join', id: 'j0', code: room.code }));
            room.players.push(p);
        } catch (e) {
            setupErrors[setupCode(e)] = (setupErrors[setupCode(e)] ?? 0) + 1;
            drop(p);
        }
    }));
    room.members = room.players.length;
    room.rollPrefix = `{"type":"action","session":"${room.session}","body":{"type":"roll","formula":${
        JSON.stringify(opts.formula)}},"id":"`;
    return room;
}

/**
 * As expect(), sent again (same id: the platform applies it once) when the platform answers BUSY or UNAVAILABLE, as a
 * player's client would: a set-up refused for overload is tried again, up to five times, backing off.
 */
async function expectAgain(p, type, ref, message) {
    for (let attempt = 1; ; attempt++) {
        try {
            return await expect(p, type, ref, message);
        } catch (e) {
            const m = /: (BUSY|UNAVAILABLE) /.exec(e.message);
            if (!m || attempt >= 5) throw e;
            countError(currentWindow, `setup ${m[1]} (retried)`);
            await new Promise((r) => setTimeout(r, 250 * attempt));
        }
    }
}

/** A player whose set-up failed: its socket is closed by us, which is no 'closed' of the platform's. */
function drop(p) {
    p.open = false;
    p.ws?.terminate();
}

function setupCode(e) {
    const m = /: ([A-Z_]+) /.exec(e.message) ?? /HTTP (\d+)/.exec(e.message);
    return m ? `setup ${m[1]}` : `setup ${e.code ?? e.message.replace(/^R\d+P\d+: /, '').slice(0, 40)}`;
}

async function grow(indexes) {
    const t0 = now();
    const setupErrors = {};
    const queue = [...indexes];
    const parallelRooms = Math.max(1, Math.floor(opts.connectConcurrency / opts.players));
    const added = [];
    let joined = 0;
    const progress = setInterval(() => send({ ev: 'progress', players: joined, rooms: added.length }), 5000);
    await Promise.all(Array.from({ length: Math.min(parallelRooms, queue.length) }, async () => {
        while (queue.length) {
            const room = await setUpRoom(queue.shift(), opts.players, setupErrors);
            if (!room) continue;
            rooms.push(room);
            added.push(room);
            joined += room.members;
            if (pace) for (const p of room.players) schedule(p, now() + Math.random() * pace.max);
        }
    }));
    clearInterval(progress);
    send({
        ev: 'grown',
        rooms: rooms.length,
        players: rooms.reduce((n, r) => n + r.members, 0),
        setupErrors,
        seconds: (now() - t0) / 1000,
    });
}

// --- rolling ----------------------------------------------------------------------------------------------------

function roll(p, onSettled) {
    const id = `r${workerId}_${++rollCounter}`;
    const r = { id, t0: now(), room: p.room, seen: 0, accepted: false, win: currentWindow, onSettled };
    pending.set(id, r);
    const s = statsOf(currentWindow);
    s.sent++;
    s.pending++;
    totals.sent++;
    p.ws.send(p.room.rollPrefix + id + '"}');
    return r;
}

// A binary min-heap of players by their next roll time; one timer for all of them.
const heap = [];
let timer = null;

function schedule(p, at) {
    p.nextAt = at;
    p.heapIndex = heap.length;
    heap.push(p);
    up(heap.length - 1);
    arm();
}

function swap(i, j) {
    const a = heap[i];
    heap[i] = heap[j];
    heap[j] = a;
    heap[i].heapIndex = i;
    heap[j].heapIndex = j;
}

function up(i) {
    while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent].nextAt <= heap[i].nextAt) break;
        swap(i, parent);
        i = parent;
    }
}

function down(i) {
    for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].nextAt < heap[m].nextAt) m = l;
        if (r < heap.length && heap[r].nextAt < heap[m].nextAt) m = r;
        if (m === i) return;
        swap(i, m);
        i = m;
    }
}

function arm() {
    if (timer || heap.length === 0 || !pace) return;
    const wait = Math.max(1, Math.min(50, heap[0].nextAt - now()));
    timer = setTimeout(tick, wait);
}

function tick() {
    timer = null;
    if (!pace) return;
    const t = now();
    while (heap.length && heap[0].nextAt <= t) {
        const p = heap[0];
        if (p.open && p.lastSeq >= 0) {
            statsOf(currentWindow).lag.record(t - p.nextAt);
            roll(p);
        }
        // Open loop: the next roll is due an interval after this one was due, whatever happened to this one.
        // A generator more than the timeout behind starts afresh rather than firing a backlog.
        let next = p.nextAt + pace.min + Math.random() * (pace.max - pace.min);
        if (next < t - opts.timeoutMs) next = t + Math.random() * pace.max;
        p.nextAt = next;
        down(0);
    }
    arm();
}

function setPace(min, max) {
    const first = !pace;
    pace = { min, max };
    if (first) {
        const t = now();
        for (const room of rooms) for (const p of room.players) schedule(p, t + Math.random() * max);
    }
    arm();
}

// Every 250 ms: rolls older than the timeout are lost (someone got it or it was accepted) or unanswered.
function sweep() {
    const limit = now() - opts.timeoutMs;
    for (const r of pending.values()) {
        if (r.t0 > limit) break;
        const s = statsOf(r.win);
        if (r.accepted || r.seen > 0) {
            s.lost++;
            totals.lost++;
        } else {
            s.noAnswer++;
            totals.noAnswer++;
        }
        settled(r);
        if (r.onSettled) r.onSettled();
    }
}

// --- the latency probe ------------------------------------------------------------------------------------------

async function probe({ players, rolls, warmup }) {
    const setupErrors = {};
    const room = await setUpRoom(0, players, setupErrors);
    if (!room) throw new Error(`could not set up the probe room: ${JSON.stringify(setupErrors)}`);
    rooms.push(room);
    const roller = room.players[0];
    const one = (win) => new Promise((resolve) => {
        currentWindow = win;
        roll(roller, resolve);
    });
    for (let k = 0; k < warmup; k++) await one(0);
    send({ ev: 'probing', members: room.members, setupErrors });
    for (let k = 0; k < rolls; k++) await one('probe');
    currentWindow = 0;
    report('probe');
}

// --- IPC --------------------------------------------------------------------------------------------------------

function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}

process.on('message', async (msg) => {
    try {
        switch (msg.cmd) {
            case 'init':
                opts = msg.opts;
                workerId = msg.worker;
                setInterval(sweep, 250).unref();
                send({ ev: 'ready' });
                break;
            case 'grow':
                await grow(msg.rooms);
                break;
            case 'pace':
                setPace(msg.min, msg.max);
                break;
            case 'quiet':
                pace = null;
                if (timer) clearTimeout(timer);
                timer = null;
                break;
            case 'window':
                currentWindow = msg.id;
                statsOf(msg.id);
                break;
            case 'close':
                if (currentWindow === msg.id) currentWindow = 0;
                closing.add(msg.id);
                if (statsOf(msg.id).pending === 0) report(msg.id);
                break;
            case 'probe':
                await probe(msg);
                break;
            case 'stop':
                stopping = true;
                pace = null;
                for (const room of rooms) for (const p of room.players) p.ws?.terminate();
                send({ ev: 'stopped', totals: serialize(totals) });
                setTimeout(() => process.exit(0), 100);
                break;
            default:
                throw new Error(`unknown command ${msg.cmd}`);
        }
    } catch (e) {
        send({ ev: 'failed', message: e.stack ?? String(e) });
    }
});

process.on('disconnect', () => process.exit(0));

// A stand-in for the gateway and one dice game, in memory, for the client's unit tests: a WebSocket class and a
// fetch that speak enough of docs/protocol.md (hello/resume, create, join, roll, history, leave, ping; guest
// sign-in, me, refresh, the session replay) and behave as the server does now:
// - a resume (`hello {resume: {session, lastSeq}}`) is answered with `resumed {session, seq: lastSeq}` and exactly
//   the events after lastSeq, or with a fresh `joined` when they are no longer all kept (`resumeWindow`), and
//   always for lastSeq 0; either way the resume's own `accepted` (id `resume-…`) ends the answer;
// - an action id is applied once, and every copy is answered (the original `accepted`; a query is answered
//   again; a refusal is decided again, as the game instance does for what it did not apply);
// - `busy` / `unavailable` refuse the next actions with BUSY (`retryMs`) / UNAVAILABLE without applying them.
// Frames can still be lost on the way (`mute`: a hole, which the real server never lets through) and sockets
// dropped.

export class FakeServer {
  player = { player: 'g-1', name: 'Ada' };
  /** @type {FakeSocket[]} */
  sockets = [];
  /** every client frame, in order */
  received = [];
  /** every frame sent to the client, in order (also those lost to `mute`) */
  sent = [];
  /** the session: events [{seq, body}], rolls, members */
  session = null;
  /** action id -> the frames that answered it, for the actions that changed something (the game remembers them) */
  applied = new Map();
  /** frames to the client are not delivered while true (they are lost, as on a dead link) */
  mute = false;
  /** sockets are refused (closed before welcome) while true */
  refuse = false;
  /** the replay answers this status while set (e.g. 503) */
  replayStatus = 200;
  /** the paths of the replay requests made */
  replayRequests = [];
  signedIn = true;
  /** hold the answer to actions (no accepted) while true; the action is applied */
  holdAnswers = false;
  /** the hello frames seen */
  hellos = [];
  /** how many of the newest events a resume can still be answered with (older: a fresh view) */
  resumeWindow = Infinity;
  /** the next resumes are refused with these errors ({code, retryMs?}), one each */
  resumeErrors = [];
  /** the next this many actions are refused BUSY (not applied) */
  busy = 0;
  busyRetryMs = 20;
  /** the next this many actions are refused UNAVAILABLE (not applied) */
  unavailable = 0;
  #resumes = 0;

  get socket() {
    return this.sockets.at(-1);
  }

  /** The action frames the server got with this id. */
  copies(id) {
    return this.received.filter((m) => m.type === 'action' && m.id === id);
  }

  get WebSocket() {
    const server = this;
    return class FakeSocket {
      constructor(url, options) {
        this.url = url;
        this.options = options;
        this.readyState = 0;
        this.onopen = this.onmessage = this.onclose = this.onerror = null;
        server.sockets.push(this);
        setTimeout(() => {
          if (this.readyState !== 0) return;
          if (server.refuse || !server.signedIn) {
            this.readyState = 3;
            this.onclose?.({ code: 1006 });
            return;
          }
          this.readyState = 1;
          this.onopen?.({});
        }, 1);
      }

      send(data) {
        if (this.readyState !== 1) throw new Error('not open');
        const m = JSON.parse(data);
        server.received.push(m);
        server.#handle(this, m);
      }

      close() {
        if (this.readyState === 3) return;
        this.readyState = 3;
        setTimeout(() => this.onclose?.({ code: 1000 }), 1);
      }
    };
  }

  /** Drops the live socket (as a network failure does: the client sees a close). */
  drop() {
    const s = this.socket;
    if (s && s.readyState === 1) {
      s.readyState = 3;
      setTimeout(() => s.onclose?.({ code: 1006 }), 1);
    }
  }

  /** Appends an event to the session (as another player's action would) and sends it to the client. */
  event(body) {
    const s = this.session;
    const seq = s.events.length + 1;
    const e = { seq, body: { at: 1_790_000_000_000 + seq, ...body } };
    s.events.push(e);
    if (body.type === 'rolled') s.rolls.push(body.roll);
    if (body.type === 'room_closed') s.closed = body.reason;
    if (body.type === 'dc_set') s.dc = body.dc;
    this.#push({ type: 'event', session: s.id, seq, body: e.body });
    return e;
  }

  view() {
    const s = this.session;
    return {
      type: 'joined', session: s.id, code: s.code, game: 'dice', seq: s.events.length, serverTime: Date.now(),
      view: {
        code: s.code, creator: 'g-1', mode: 'open', dm: null, dc: s.dc ?? null,
        players: [{ id: 'g-1', name: 'Ada', connected: true }],
        rolls: s.rolls.slice(-50), historySize: s.rolls.length, changes: [], expiresAt: Date.now() + 3_600_000,
        closed: s.closed ?? null,
      },
    };
  }

  #push(message, socket = this.socket) {
    this.sent.push(message);
    if (this.mute || !socket || socket.readyState !== 1) return;
    const data = JSON.stringify(message);
    setTimeout(() => socket.readyState === 1 && socket.onmessage?.({ data }), 1);
  }

  #resume(reply, { session, lastSeq }) {
    const id = `resume-${++this.#resumes}`;
    const refused = this.resumeErrors.shift();
    if (refused) {
      reply({ type: 'error', message: 'not now', ref: id, ...refused });
      return;
    }
    const s = this.session;
    if (!s || s.id !== session || s.gone) {
      reply({ type: 'error', code: 'NOT_IN_ROOM', message: 'you are not in this room', ref: id });
      return;
    }
    const missed = s.events.filter((e) => e.seq > lastSeq);
    if (lastSeq > 0 && missed.length <= this.resumeWindow) {
      reply({ type: 'resumed', session: s.id, seq: lastSeq });
      for (const e of missed) reply({ type: 'event', session: s.id, seq: e.seq, body: e.body });
    } else {
      reply(this.view());
    }
    reply({ type: 'accepted', id, session: s.id });
  }

  #handle(socket, m) {
    const reply = (message) => this.#push(message, socket);
    switch (m.type) {
      case 'hello':
        this.hellos.push(m);
        reply({ type: 'welcome', v: 1, ...this.player });
        if (m.resume) this.#resume(reply, m.resume);
        return;
      case 'create':
        this.session = { id: 's1', code: 'WOLF-1234', events: [], rolls: [] };
        this.session.events.push({ seq: 1, body: { type: 'room_created', code: 'WOLF-1234', at: 1 } });
        reply(this.view());
        reply({ type: 'accepted', id: m.id, session: 's1' });
        return;
      case 'join':
        if (!this.session || m.code !== this.session.code) {
          reply({ type: 'error', code: 'ROOM_NOT_FOUND', message: `no room with code ${m.code}`, ref: m.id });
          return;
        }
        reply(this.view());
        reply({ type: 'accepted', id: m.id, session: this.session.id });
        return;
      case 'action':
        this.#action(reply, m);
        return;
      case 'leave':
        reply({ type: 'left', session: m.session });
        return;
      case 'ping':
        reply({ type: 'pong', t: m.t });
        return;
      default:
    }
  }

  #action(reply, m) {
    if (this.applied.has(m.id)) {
      // Applied before: nothing changes, the answer goes again (the event does not: a resume brings it).
      for (const frame of this.applied.get(m.id)) reply(frame);
      return;
    }
    if (this.busy > 0) {
      this.busy--;
      reply({ type: 'error', code: 'BUSY', message: 'the table is busy', ref: m.id, retryMs: this.busyRetryMs });
      return;
    }
    if (this.unavailable > 0) {
      this.unavailable--;
      reply({ type: 'error', code: 'UNAVAILABLE', message: 'the game service is unavailable', ref: m.id });
      return;
    }
    const s = this.session;
    const body = m.body;
    if (body.type === 'roll') {
      if (!/^\d*d\d+/.test(body.formula)) {
        reply({ type: 'error', code: 'INVALID_DICE_FORMAT', message: 'not a formula', ref: m.id });
        return;
      }
      const n = s.rolls.length + 1;
      this.event({ type: 'rolled', roll: { id: `roll${n}`, number: n, action: `${this.player.player}:${m.id}`,
        player: 'g-1', name: 'Ada', formula: body.formula, terms: [], modifier: 0, total: 7, at: 1, hidden: false } });
    } else if (body.type === 'set_dc') {
      this.event({ type: 'dc_set', dc: body.dc });
    } else if (body.type === 'history') {
      reply({ type: 'result', session: s.id, ref: m.id, body: { rolls: [], more: false } });
      reply({ type: 'accepted', id: m.id, session: s.id });
      return; // nothing changed: not remembered, a copy is asked again
    }
    const accepted = { type: 'accepted', id: m.id, session: s.id };
    this.applied.set(m.id, [accepted]);
    if (!this.holdAnswers) reply(accepted);
  }

  /** A fetch for the HTTP side. */
  get fetch() {
    return async (url, init = {}) => {
      const { pathname, searchParams } = new URL(url);
      const json = (status, body, headers = {}) => new Response(body === undefined ? null : JSON.stringify(body),
        { status, headers: { 'Content-Type': 'application/json', ...headers } });
      if (pathname === '/api/auth/guest') {
        const { name } = JSON.parse(init.body);
        this.player = { player: 'g-1', name };
        this.signedIn = true;
        return json(200, { ...this.player, expiresAt: 1 }, {
          'Set-Cookie': 'rf_token=tok; Path=/; Max-Age=900; HttpOnly',
        });
      }
      if (pathname === '/api/auth/me') return this.signedIn ? json(200, this.player) : json(401, { code: 'UNAUTHORIZED', message: 'sign in' });
      if (pathname === '/api/auth/refresh') return this.signedIn ? json(200, this.player) : json(401, { code: 'UNAUTHORIZED', message: 'sign in' });
      const replay = /^\/api\/sessions\/([^/]+)\/replay$/.exec(pathname);
      if (replay) {
        this.replayRequests.push(`${pathname}${searchParams.size ? `?${searchParams}` : ''}`);
        if (this.replayStatus !== 200) return json(this.replayStatus, { code: 'UNAVAILABLE', message: 'down' });
        const after = Number(searchParams.get('after') || 0);
        const steps = this.session.events.filter((e) => e.seq > after).map((e) => ({ seq: e.seq, event: e.body, view: {} }));
        return json(200, { session: replay[1], game: 'dice', steps, more: false });
      }
      return json(404, { code: 'NOT_FOUND', message: 'no' });
    };
  }
}

/** Resolves once `check()` is truthy (polling), or fails after `ms`. */
export async function until(check, ms = 2000, what = 'the condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

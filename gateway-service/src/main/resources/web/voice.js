// Voice and video for the session the player is in, through LiveKit (docs/protocol.md, Voice).
// The panel stays hidden unless the server has voice configured (GET /api/livekit); a token is asked for only when
// the player joins voice. livekit-client is loaded only when the player
// joins voice, with a dynamic import of our own vendored copy: if it fails to load, or LiveKit cannot be reached,
// the panel says so and the game goes on untouched. Nothing here ever throws into the game's code.

const LIVEKIT_MODULE = './vendor/livekit-client-2.23.0.esm.js';
const RETRY_REFUSED_MS = [1000, 2000, 4000]; // membership may reach the directory a moment after `joined`
const STATUS = {
  ready: 'Voice is available for this room.',
  connecting: 'Connecting to voice…',
  connected: 'In voice.',
  reconnecting: 'Voice connection lost, reconnecting…',
  failed: 'Could not connect to voice. The game carries on; try again later.',
  dropped: 'Voice disconnected.',
  removed: 'You were removed from voice.',
  unavailable: 'Voice is unavailable right now.',
};

/** The voice panel of one page: enter(session) when a room shows, exit() when it goes. */
export class VoicePanel {
  constructor(root) {
    this.root = root;
    this.ui = {
      status: root.querySelector('[data-testid="voice-status"]'),
      join: root.querySelector('[data-testid="voice-join"]'),
      leave: root.querySelector('[data-testid="voice-leave"]'),
      mute: root.querySelector('[data-testid="voice-mute"]'),
      camera: root.querySelector('[data-testid="voice-camera"]'),
      people: root.querySelector('[data-testid="voice-people"]'),
      startAudio: root.querySelector('[data-testid="voice-start-audio"]'),
      media: root.querySelector('.voice-media'),
    };
    this.session = null;
    this.room = null; // livekit-client Room while joined
    this.lk = null; // the loaded module
    this.generation = 0; // bumps on every enter/exit, so late answers for an old room are dropped
    this.volumes = new Map(); // identity -> 0..1, kept across reconnects
    this.ui.join.addEventListener('click', () => this.join());
    this.ui.leave.addEventListener('click', () => this.leave());
    this.ui.mute.addEventListener('click', () => this.toggleMic());
    this.ui.camera.addEventListener('click', () => this.toggleCamera());
    this.ui.startAudio.addEventListener('click', () => this.room && this.room.startAudio().catch(() => {}));
    this.render();
  }

  /** A room is on screen: show the panel if this deployment has voice. Tokens are fetched only on "Join voice". */
  enter(session) {
    if (session === this.session) return;
    this.exit();
    this.session = session;
    const generation = ++this.generation;
    this.enabled().then((on) => {
      if (!on || generation !== this.generation) return;
      this.root.hidden = false;
      this.setStatus(STATUS.ready, 'ready');
      this.render();
    });
  }

  /** Whether this deployment has voice (GET /api/livekit), asked once per page. Never rejects. */
  enabled() {
    if (!this.enabledAnswer) {
      this.enabledAnswer = fetch('/api/livekit', { credentials: 'same-origin' })
        .then((res) => (res.ok ? res.json() : { enabled: false }))
        .then((body) => body.enabled === true)
        .catch(() => {
          this.enabledAnswer = null; // ask again on the next room
          return false;
        });
    }
    return this.enabledAnswer;
  }

  /** The room went away (left, kicked, closed, signed out): leave voice and hide. */
  exit() {
    this.generation++;
    this.session = null;
    this.disconnect();
    this.root.hidden = true;
    this.setStatus('');
  }

  /**
   * A token for the current session. NOT_A_MEMBER is asked again a few times: the session directory may list a
   * player a moment after their `joined`. Never throws.
   */
  async token(generation) {
    let answer = await this.fetchToken();
    for (let i = 0; !answer.ok && answer.code === 'NOT_A_MEMBER' && i < RETRY_REFUSED_MS.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_REFUSED_MS[i]));
      if (generation !== this.generation) return answer;
      answer = await this.fetchToken();
    }
    return answer;
  }

  /** POST /api/livekit/token for the current session: {ok, status, code, token?}. Never throws. */
  async fetchToken() {
    try {
      const res = await fetch('/api/livekit/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ session: this.session }),
      });
      const body = await res.json().catch(() => ({}));
      return { ok: res.ok, status: res.status, code: res.ok ? null : body.code, message: body.message, token: res.ok ? body : null };
    } catch {
      return { ok: false, status: 0, code: 'UNAVAILABLE' };
    }
  }

  async join() {
    if (this.room || !this.session) return;
    const generation = this.generation;
    this.setStatus(STATUS.connecting, 'connecting');
    this.ui.join.disabled = true;
    try {
      const answer = await this.token(generation);
      if (generation !== this.generation) return;
      if (!answer.ok) {
        this.setStatus(answer.message || STATUS.unavailable, answer.code || 'refused');
        return;
      }
      this.lk = this.lk || await import(LIVEKIT_MODULE);
      if (generation !== this.generation) return;
      const room = new this.lk.Room({ adaptiveStream: true, dynacast: true });
      this.room = room;
      this.wire(room, generation);
      await room.connect(answer.token.url, answer.token.token, { maxRetries: 1, websocketTimeout: 10_000 });
      if (generation !== this.generation || this.room !== room) {
        room.disconnect();
        return;
      }
      this.setStatus(STATUS.connected, 'connected');
      // A failed microphone (no device, permission refused) leaves the player in voice, listening.
      await room.localParticipant.setMicrophoneEnabled(true).catch(() => {});
    } catch (e) {
      if (generation === this.generation) {
        this.disconnect();
        this.setStatus(STATUS.failed, 'failed');
        this.root.dataset.error = String(e && e.message || e);
      }
    } finally {
      this.render();
    }
  }

  leave() {
    this.disconnect();
    if (this.session) this.setStatus(STATUS.ready, 'ready');
    this.render();
  }

  disconnect() {
    const room = this.room;
    this.room = null;
    if (room) {
      try {
        room.removeAllListeners();
        room.disconnect();
      } catch { /* already gone */ }
    }
    this.ui.media.replaceChildren();
    this.ui.people.replaceChildren();
    this.ui.startAudio.hidden = true;
    this.render();
  }

  async toggleMic() {
    const p = this.room && this.room.localParticipant;
    if (!p) return;
    await p.setMicrophoneEnabled(!p.isMicrophoneEnabled).catch(() => this.setStatus('Your microphone could not be used.', 'mic'));
    this.render();
  }

  async toggleCamera() {
    const p = this.room && this.room.localParticipant;
    if (!p) return;
    await p.setCameraEnabled(!p.isCameraEnabled).catch(() => this.setStatus('Your camera could not be used.', 'camera'));
    this.render();
  }

  wire(room, generation) {
    const { RoomEvent, Track, DisconnectReason } = this.lk;
    const live = () => generation === this.generation && this.room === room;
    const people = () => live() && this.renderPeople();
    room
      .on(RoomEvent.ParticipantConnected, people)
      .on(RoomEvent.ParticipantDisconnected, people)
      .on(RoomEvent.ActiveSpeakersChanged, people)
      .on(RoomEvent.TrackMuted, people)
      .on(RoomEvent.TrackUnmuted, people)
      .on(RoomEvent.LocalTrackPublished, (publication) => {
        if (!live()) return;
        if (publication.track && publication.track.kind === Track.Kind.Video) this.attach(publication.track, room.localParticipant.identity, true);
        this.render();
      })
      .on(RoomEvent.LocalTrackUnpublished, (publication) => {
        if (publication.track) publication.track.detach().forEach((el) => el.remove());
        if (live()) this.render();
      })
      .on(RoomEvent.TrackSubscribed, (track, publication, participant) => {
        if (!live()) return;
        this.attach(track, participant.identity, false);
        if (track.kind === Track.Kind.Audio && this.volumes.has(participant.identity)) {
          participant.setVolume(this.volumes.get(participant.identity));
        }
        this.renderPeople();
      })
      .on(RoomEvent.TrackUnsubscribed, (track) => {
        track.detach().forEach((el) => el.remove());
        people();
      })
      .on(RoomEvent.AudioPlaybackStatusChanged, () => {
        if (live()) this.ui.startAudio.hidden = room.canPlaybackAudio;
      })
      .on(RoomEvent.Reconnecting, () => live() && this.setStatus(STATUS.reconnecting, 'reconnecting'))
      .on(RoomEvent.SignalReconnecting, () => live() && this.setStatus(STATUS.reconnecting, 'reconnecting'))
      .on(RoomEvent.Reconnected, () => live() && this.setStatus(STATUS.connected, 'connected'))
      .on(RoomEvent.Disconnected, (reason) => {
        if (!live()) return;
        this.room = null;
        this.ui.media.replaceChildren();
        this.ui.people.replaceChildren();
        const removed = reason === DisconnectReason.PARTICIPANT_REMOVED;
        this.setStatus(removed ? STATUS.removed : STATUS.dropped, removed ? 'removed' : 'dropped');
        this.render();
      });
  }

  attach(track, identity, local) {
    const el = track.attach();
    el.dataset.identity = identity;
    if (local) el.muted = true; // never play our own voice back
    if (track.kind === 'video') {
      el.setAttribute('playsinline', '');
      el.className = 'voice-video';
      el.title = this.nameOf(identity);
    }
    this.ui.media.append(el);
  }

  nameOf(identity) {
    const room = this.room;
    if (!room) return identity;
    if (room.localParticipant.identity === identity) return room.localParticipant.name || identity;
    const p = room.remoteParticipants.get(identity);
    return (p && p.name) || identity;
  }

  renderPeople() {
    const room = this.room;
    if (!room) {
      this.ui.people.replaceChildren();
      return;
    }
    const everyone = [room.localParticipant, ...room.remoteParticipants.values()];
    this.ui.people.replaceChildren(...everyone.map((p) => this.personItem(p, p === room.localParticipant)));
  }

  personItem(p, local) {
    const li = document.createElement('li');
    li.className = 'voice-person';
    li.dataset.identity = p.identity;
    li.dataset.speaking = String(Boolean(p.isSpeaking));
    const name = document.createElement('span');
    name.className = 'voice-name';
    name.textContent = (p.name || p.identity) + (local ? ' (you)' : '');
    const state = document.createElement('span');
    state.className = 'voice-state';
    state.textContent = p.isSpeaking ? 'speaking' : (p.isMicrophoneEnabled ? '' : 'muted');
    li.append(name, state);
    if (!local) {
      const label = document.createElement('label');
      label.className = 'voice-volume';
      const range = document.createElement('input');
      range.type = 'range';
      range.min = '0';
      range.max = '100';
      range.value = String(Math.round(100 * (this.volumes.get(p.identity) ?? 1)));
      range.dataset.testid = 'voice-volume';
      range.setAttribute('aria-label', `Volume of ${p.name || p.identity}`);
      range.addEventListener('input', () => {
        const v = Number(range.value) / 100;
        this.volumes.set(p.identity, v);
        p.setVolume(v);
      });
      label.append(range);
      li.append(label);
    }
    return li;
  }

  setStatus(text, state = '') {
    this.ui.status.textContent = text;
    this.root.dataset.state = state;
  }

  render() {
    const p = this.room && this.room.localParticipant;
    const joined = Boolean(this.room);
    this.ui.join.hidden = joined;
    this.ui.join.disabled = false;
    this.ui.leave.hidden = !joined;
    this.ui.mute.hidden = !joined;
    this.ui.camera.hidden = !joined;
    if (p) {
      this.ui.mute.textContent = p.isMicrophoneEnabled ? 'Mute' : 'Unmute';
      this.ui.mute.setAttribute('aria-pressed', String(!p.isMicrophoneEnabled));
      this.ui.camera.textContent = p.isCameraEnabled ? 'Camera off' : 'Camera on';
      this.ui.camera.setAttribute('aria-pressed', String(p.isCameraEnabled));
    }
    this.renderPeople();
  }
}

// The optional dice sound: off unless the player turns it on (kept in this browser), a short rattle made with
// Web Audio (no file to load), never for a history arriving at once.

const KEY = 'rf-sound';

export function soundOn() {
  try {
    return localStorage.getItem(KEY) === 'on';
  } catch {
    return false;
  }
}

export function setSound(on) {
  try {
    localStorage.setItem(KEY, on ? 'on' : 'off');
  } catch {
    // storage refused (private mode): the choice lasts until the page reloads
  }
}

let audio = null;

/** A few quick clicks of filtered noise, like dice on a table. */
export function playRollSound() {
  try {
    audio = audio || new AudioContext();
    const now = audio.currentTime;
    for (let i = 0; i < 4; i++) {
      const length = Math.floor(audio.sampleRate * 0.03);
      const buffer = audio.createBuffer(1, length, audio.sampleRate);
      const data = buffer.getChannelData(0);
      for (let j = 0; j < length; j++) data[j] = (Math.random() * 2 - 1) * (1 - j / length) ** 3;
      const source = audio.createBufferSource();
      source.buffer = buffer;
      const gain = audio.createGain();
      gain.gain.value = 0.25 / (i + 1);
      source.connect(gain).connect(audio.destination);
      source.start(now + i * 0.07 + Math.random() * 0.02);
    }
  } catch {
    // no audio here: the roll still shows
  }
}

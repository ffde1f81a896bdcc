// The tactics board as SVG, drawn from a view (the live game and the replay viewer share it). Colours come from
// classes in style.css (the CSP allows no inline style); positions are SVG attributes.

import { DIFFICULT, WALL, isDown, sideIndex } from '../../sdk/games/tactics.js';

const NS = 'http://www.w3.org/2000/svg';
export const CELL = 40;

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

function initials(name) {
  const words = name.trim().split(/\s+/);
  return (words.length > 1 ? words[0][0] + words[1][0] : name.slice(0, 2)).toUpperCase();
}

/**
 * Draws `view` into `svg` (replacing what was there).
 * @param {object} marks {reach: Map "x,y"->cost, targets: Set of unit ids, selected: unit id, cursor: {x,y}}
 */
export function renderBoard(svg, view, marks = {}) {
  const { reach = new Map(), targets = new Set(), selected = null, cursor = null } = marks;
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${view.width * CELL} ${view.height * CELL}`);
  svg.dataset.width = view.width;
  svg.dataset.height = view.height;
  const cells = el('g', { class: 'cells' }, svg);
  for (let y = 0; y < view.height; y++) {
    for (let x = 0; x < view.width; x++) {
      const kind = view.rows[y][x];
      const cls = ['cell', kind === WALL ? 'wall' : kind === DIFFICULT ? 'difficult' : 'floor'];
      const key = `${x},${y}`;
      if (reach.has(key)) cls.push('reach');
      const r = el('rect', {
        x: x * CELL, y: y * CELL, width: CELL, height: CELL, class: cls.join(' '),
        'data-testid': 'cell', 'data-x': x, 'data-y': y,
      }, cells);
      if (reach.has(key)) r.setAttribute('data-cost', reach.get(key));
      if (kind === DIFFICULT) {
        el('path', { d: `M${x * CELL + 8} ${y * CELL + 26} q6 -6 12 0 t12 0`, class: 'ripple' }, cells);
      }
    }
  }
  const units = el('g', { class: 'units' }, svg);
  // Downed units first, so a standing unit on the same cell is drawn on top.
  const sorted = [...view.units].sort((a, b) => Number(isDown(b)) - Number(isDown(a)));
  for (const u of sorted) {
    const down = isDown(u);
    const cls = ['unit', `side-${sideIndex(view, u.side)}`];
    if (down) cls.push('down');
    if (u.id === view.current) cls.push('current');
    if (u.id === selected) cls.push('selected');
    if (targets.has(u.id)) cls.push('target');
    const g = el('g', {
      class: cls.join(' '), 'data-testid': 'unit', 'data-unit': u.id, 'data-side': u.side, 'data-hp': u.hp,
      'data-x': u.x, 'data-y': u.y, 'data-down': down,
    }, units);
    const cx = u.x * CELL + CELL / 2;
    const cy = u.y * CELL + CELL / 2;
    el('circle', { cx, cy, r: CELL * 0.38, class: 'token' }, g);
    const label = el('text', { x: cx, y: cy + 4, 'text-anchor': 'middle', class: 'token-label' }, g);
    label.textContent = initials(u.name);
    const title = el('title', {}, g);
    title.textContent = `${u.name} (${u.side}): ${u.hp}/${u.maxHp} hp, AC ${u.ac}, speed ${u.speed}, `
      + `attack +${u.attack}, ${u.damage}, range ${u.range}${down ? ', down' : ''}`;
    if (!down) {
      const frac = Math.max(0, Math.min(1, u.hp / u.maxHp));
      el('rect', { x: u.x * CELL + 5, y: u.y * CELL + CELL - 6, width: CELL - 10, height: 3, class: 'hp-back' }, g);
      el('rect', { x: u.x * CELL + 5, y: u.y * CELL + CELL - 6, width: (CELL - 10) * frac, height: 3, class: 'hp-bar' }, g);
    }
  }
  if (cursor) {
    el('rect', {
      x: cursor.x * CELL + 2, y: cursor.y * CELL + 2, width: CELL - 4, height: CELL - 4, class: 'cursor',
      'data-testid': 'cursor', 'data-x': cursor.x, 'data-y': cursor.y,
    }, svg);
  }
}

/** The cell under a click/tap on the board, or null. */
export function cellAt(svg, event) {
  const target = event.target.closest('[data-x]');
  if (!target || !svg.contains(target)) return null;
  return { x: Number(target.dataset.x), y: Number(target.dataset.y) };
}

/** Cells on a touch screen are at least this many CSS pixels: the board scrolls rather than shrinks below it. */
export const MIN_TOUCH_CELL = 44;
const MIN_CELL = 24;
const MAX_CELL = 64;

/**
 * Sizes the board to the window: as large as fits beside the turn controls (which stay in view below it), never
 * smaller than MIN_TOUCH_CELL a cell on a phone, where its frame scrolls instead. Sets the SVG's own width and
 * height (no inline style: the CSP allows none).
 */
export function fitBoard(svg, view) {
  const wrap = svg.parentElement;
  if (!wrap || !view.width || !view.height) return;
  const width = wrap.clientWidth || 320;
  const narrow = window.matchMedia('(max-width: 760px)').matches;
  let cell;
  if (narrow) {
    cell = Math.max(MIN_TOUCH_CELL, Math.floor(width / view.width));
  } else {
    // The head card, the legend, the hint and the turn controls share the window with the board.
    const room = window.innerHeight - 330;
    cell = Math.floor(Math.min(width / view.width, room / view.height));
    cell = Math.max(MIN_CELL, Math.min(MAX_CELL, cell));
  }
  svg.setAttribute('width', String(cell * view.width));
  svg.setAttribute('height', String(cell * view.height));
  svg.dataset.cell = String(cell);
  wrap.classList.toggle('board-scrolls', cell * view.width > width);
}

// DOM pieces the page shell (app.js) and every game's UI (games/*) share: the alert at the top, field errors,
// two-click confirmations, the clipboard, and loading a game's markup. Everything players typed goes in as text
// (textContent), never as HTML.

export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const CONFIRM_MS = 4000; // how long a "Sure?" button waits for its second click

/** A new element with a class and text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const alertBox = () => document.querySelector('[data-testid="error"]');

/** Something this page noticed by itself (not connected, no answer, no code typed), in the alert. */
export function showNotice(text, code, ...extra) {
  const box = alertBox();
  const body = el('p', 'alert-text', text);
  const close = el('button', 'alert-close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', clearError);
  box.dataset.code = code;
  box.replaceChildren(body, ...extra, close);
}

/** A refusal from the server, in the alert: a sentence for people (the code stays in data-code, for tests). */
export function showError(code, text) {
  showNotice(text, code);
}

export function clearError() {
  const box = alertBox();
  delete box.dataset.code;
  box.replaceChildren();
}

/** An error next to the field it is about (the roller, the DC), with its code for tests and bug reports. */
export function fieldError(node, code, text) {
  node.textContent = text;
  if (code) node.dataset.code = code;
  else delete node.dataset.code;
}

/**
 * Lasting actions (kicking, promoting, leaving a room that closes with you) take two clicks: the first turns the
 * button into "Sure?" for a few seconds. No window.confirm: it blocks the page, and the socket with it.
 */
export function confirmed(button, question) {
  const reset = () => {
    clearTimeout(Number(button.dataset.timer));
    button.textContent = button.dataset.label;
    delete button.dataset.confirm;
    delete button.dataset.label;
    delete button.dataset.timer;
  };
  if (button.dataset.confirm === 'yes') {
    reset();
    return true;
  }
  button.dataset.label = button.textContent;
  button.dataset.confirm = 'yes';
  button.textContent = question;
  button.dataset.timer = String(setTimeout(reset, CONFIRM_MS));
  return false;
}

/** navigator.clipboard where allowed (secure contexts); else the old copy command on a hidden field. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const field = document.createElement('textarea');
    field.value = text;
    field.readOnly = true;
    field.className = 'copy-buffer';
    document.body.append(field);
    field.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    field.remove();
    return ok;
  }
}

/**
 * A game's markup: the `<template data-part="…">` elements of an HTML file next to its module (same origin, so
 * the CSP allows it; templates hold no scripts). Returns part name -> DocumentFragment.
 */
export async function loadParts(url) {
  const response = await fetch(url, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
  const parts = {};
  for (const t of doc.querySelectorAll('template[data-part]')) {
    parts[t.dataset.part] = document.importNode(t.content, true);
  }
  return parts;
}

/** A line of table talk (any game): the name and the text, both as text (never HTML). */
export function chatItem(line, me) {
  const li = el('li', `chat-line${line.player === me ? ' mine' : ''}`);
  li.dataset.testid = 'chat-line';
  const gap = el('span', 'sr-only', ': ');
  li.append(el('span', 'chat-who', line.name), gap, el('span', 'chat-text', line.text ?? ''));
  return li;
}

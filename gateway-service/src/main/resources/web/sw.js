// The service worker that makes Rune Forge installable: it keeps the app shell (this site's own pages, styles,
// scripts and game markup) so the page opens without a network and says so; everything live (the WebSocket,
// /api/*, roll pages, voice) always goes to the network and is never cached. Network first, so a new deployment
// shows at once; the cache is the fallback when the network is down.

const CACHE = 'rf-shell-v1';
const SHELL = ['/', '/index.html', '/style.css', '/app.js', '/ui.js', '/names.js', '/favicon.svg',
  '/manifest.webmanifest'];

/** Whether a request is part of the app shell (same origin, a GET, not live data). */
function isShell(url, request) {
  if (request.method !== 'GET' || url.origin !== self.location.origin) return false;
  if (/^\/(api|ws|roll|\.well-known)(\/|$)/.test(url.pathname)) return false;
  if (url.pathname.startsWith('/vendor/')) return false; // the voice client: large, and only with a network
  return url.pathname === '/' || /\.(html|js|css|svg|webmanifest)$/.test(url.pathname);
}

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (!isShell(url, event.request)) return;
  event.respondWith(fetch(event.request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(event.request, copy)).catch(() => {});
    }
    return response;
  }).catch(() => caches.match(event.request, { ignoreSearch: url.pathname === '/' })
    .then((hit) => hit || Response.error())));
});

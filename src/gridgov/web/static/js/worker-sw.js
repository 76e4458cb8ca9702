/* The grid worker's service worker (served as /worker/sw.js by gridgov.screens.pwa, which puts CACHE, SCOPE and
   PRECACHE above this text). It keeps the worker's screen and its files so that the screen opens without a
   signal; what the worker files offline waits in the page's IndexedDB outbox (outbox.js) and is sent by the
   page. Only GET requests of this server are answered here: a change (POST) always goes to the network. */
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("gg-worker-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

/* The files of a release never change under their name: the cache first. */
async function cacheFirst(request) {
  const hit = await caches.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) (await caches.open(CACHE)).put(request, res.clone());
  return res;
}

/* Pages, partials and look-ups: the network first (fresh lists), the last copy when there is no signal. */
async function networkFirst(request) {
  try {
    const res = await fetch(request);
    if (res.ok && !res.redirected) (await caches.open(CACHE)).put(request, res.clone());
    return res;
  } catch (err) {
    const hit = await caches.match(request, { ignoreVary: true });
    if (hit) return hit;
    if (request.mode === "navigate") {
      const page = await caches.match(SCOPE);
      if (page) return page;
    }
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/v1/auth/") || url.pathname.startsWith("/api/v1/photos/")) return;
  if (url.pathname.startsWith("/static/")) { event.respondWith(cacheFirst(request)); return; }
  event.respondWith(networkFirst(request));
});

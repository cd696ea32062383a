// Cleanlens service worker: after the first visit the whole site comes from
// this cache, so the page loads and works with the network off. build.py
// fills in VERSION (a hash of every file) and PRECACHE (every file of dist/);
// a new deployment therefore has a new cache name, installs beside the old
// one, and deletes it once active. Same-origin GET requests only.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = `cleanlens-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("cleanlens-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(request, { ignoreSearch: true })
        || (request.mode === "navigate" ? await cache.match(new URL("./index.html", self.registration.scope)) : undefined);
      return hit || fetch(request);
    })
  );
});

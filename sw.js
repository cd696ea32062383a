// Cleanlens service worker: after the first visit the whole site comes from
// this cache, so the page loads and works with the network off. build.py
// fills in VERSION (a hash of every file) and PRECACHE (every file of dist/
// except the scientific stack); a new deployment therefore has a new cache
// name, installs beside the old one, and deletes it once active.
// The scientific stack (numpy, scipy, scikit-learn: ON_DEMAND, ~29 MB) is not
// fetched at install: each of its files is cached when the training worker
// first fetches it, in a cache named after a hash of those files
// (STACK_VERSION), so a new deployment with another stack replaces it and one
// with the same stack keeps it. At most one copy of each is kept.
// Same-origin GET requests only.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const ON_DEMAND = __ON_DEMAND__;
const STACK_VERSION = "__STACK_VERSION__";
const CACHE = `cleanlens-${VERSION}`;
const STACK_CACHE = `cleanlens-stack-${STACK_VERSION}`;
const onDemand = new Set(ON_DEMAND.map((url) => new URL(url, self.registration.scope).href));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  const current = [CACHE, STACK_CACHE];
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("cleanlens-") && !current.includes(n)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

async function fromStack(request, url) {
  const cache = await caches.open(STACK_CACHE);
  const hit = await cache.match(url);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(url, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  url.search = "";
  if (onDemand.has(url.href)) {
    event.respondWith(fromStack(request, url.href));
    return;
  }
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(request, { ignoreSearch: true })
        || (request.mode === "navigate" ? await cache.match(new URL("./index.html", self.registration.scope)) : undefined);
      return hit || fetch(request);
    })
  );
});

// Service worker of the field pages (scope /lapangan/): network first, the last copy from the cache when offline.
// Only GET responses of the user's own pages are cached; the cache is emptied when the server answers with the
// login page (logged out or another user).
const CACHE = "binasehat-field-v1";

self.addEventListener("install", (event) => { self.skipWaiting(); });
self.addEventListener("activate", (event) => { event.waitUntil(self.clients.claim()); });

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "cache-urls") {
    // One at a time, and only what is not cached yet: the server is not asked for many pages at once.
    event.waitUntil((async () => {
      const cache = await caches.open(CACHE);
      for (const url of event.data.urls) {
        if (await cache.match(url)) continue;
        try {
          const response = await fetch(url, { credentials: "same-origin" });
          if (response.ok && !response.redirected) await cache.put(url, response);
        } catch (err) { /* offline: try again next time */ }
      }
    })());
  }
  if (event.data && event.data.type === "clear") {
    event.waitUntil(caches.delete(CACHE));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const field = url.pathname.startsWith("/lapangan/") && !url.pathname.endsWith("/sw.js");
  const shell = url.pathname.startsWith("/static/");
  if (!field && !shell) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.redirected && new URL(response.url).pathname.startsWith("/akun/")) {
        await caches.delete(CACHE);
      } else if (response.ok) {
        await cache.put(request, response.clone());
      }
      return response;
    } catch (err) {
      const cached = await cache.match(request, { ignoreSearch: field && !url.search.includes("anak=") });
      if (cached) return cached;
      const page = await cache.match(url.pathname, { ignoreSearch: true });
      if (page) return page;
      throw err;
    }
  })());
});

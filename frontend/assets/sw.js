// Service worker of the customer portal. The build replaces __VERSION__ and __SHELL__.
// - The app shell (HTML, JS, WASM, CSS, icons, offline page) is precached at install.
// - API GETs go network-first; the last good answer is kept and served when the network fails,
//   marked with `x-portal-stale: 1` so the app can say it is showing saved data.
// - Navigations fall back to the cached shell, then to the offline page.
// - The live event stream is never touched: it never ends, so caching it would never finish.
// - Push messages become notifications; a click focuses a portal window (or opens one) at the
//   message's URL.
const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const SHELL_CACHE = "portal-shell-" + VERSION;
const API_CACHE = "portal-api";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys
        .filter((k) => k.startsWith("portal-shell-") && k !== SHELL_CACHE)
        .map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function stale(response) {
  const headers = new Headers(response.headers);
  headers.set("x-portal-stale", "1");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function offlineProblem() {
  const body = JSON.stringify({
    type: "urn:customer-portal:problem:service_unavailable",
    title: "Offline", status: 503, detail: "No connection and nothing saved.", code: "service_unavailable",
  });
  return new Response(body, {
    status: 503,
    headers: { "content-type": "application/problem+json", "x-portal-stale": "1" },
  });
}

async function apiNetworkFirst(request) {
  const cache = await caches.open(API_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request.url, response.clone());
    }
    return response;
  } catch (_) {
    const cached = await cache.match(request.url, { ignoreVary: true });
    return cached ? stale(cached) : offlineProblem();
  }
}

async function navigation(request) {
  try {
    return await fetch(request);
  } catch (_) {
    const shell = await caches.open(SHELL_CACHE);
    return (await shell.match("/index.html")) || (await shell.match("/offline.html")) || Response.error();
  }
}

async function shellFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) {
    if (url.pathname === "/api/customer/events" || request.headers.get("accept") === "text/event-stream") return;
    // Confirmations are documents the customer saves; the docs UI is not part of the app.
    if (url.pathname.startsWith("/api/docs") || url.pathname.endsWith(".pdf") || url.pathname.endsWith(".ics")) return;
    event.respondWith(apiNetworkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(navigation(request));
  } else {
    event.respondWith(shellFirst(request));
  }
});

// The server sends JSON: {id, kind, title, body, url, tag}. Anything unreadable still shows a
// notification (Chromium requires one for every push with userVisibleOnly).
function pushContent(event) {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = { body: event.data ? event.data.text() : "" };
  }
  const url = typeof data.url === "string" && data.url.startsWith("/") ? data.url : "/";
  return {
    title: data.title || self.registration.scope,
    options: {
      body: data.body || "",
      icon: "/icon-192.png",
      badge: "/icon-192.png",
      tag: data.tag || data.id || undefined,
      data: { url },
    },
  };
}

self.addEventListener("push", (event) => {
  const { title, options } = pushContent(event);
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (open) {
      const focused = await open.focus();
      return (focused || open).navigate(target).catch(() => self.clients.openWindow(target));
    }
    return self.clients.openWindow(target);
  })());
});

/* The service worker: lets a trainer open the scan page with no network once it was opened online.
 *
 * Pages of /workshops/ go to the network first and fall back to the copy kept from the last visit;
 * static files (CSS, the scan page's modules, the QR decoder) come from the cache first and are refreshed
 * behind. The API is never cached: the page itself keeps what it needs offline (keys, revocation list,
 * queue) in IndexedDB.
 * The scan page asks for its own URL and every file it loaded to be kept (message "keep").
 */
"use strict";

var PAGES = "pages-v1";
var ASSETS = "assets-v3";  // v3: the scan page tells a ticket's verdict from a failure (api.js's classify)

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== PAGES && name !== ASSETS; })
                            .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function isPage(url) { return url.pathname.indexOf("/workshops/") === 0; }
function isAsset(url) { return url.pathname.indexOf("/static/") === 0; }

async function keep(cacheName, request, response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    var cache = await caches.open(cacheName);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkFirst(request) {
  try {
    var response = await fetch(request);
    if (new URL(response.url).pathname === "/login") await caches.delete(PAGES);  // signed out: forget the pages
    return await keep(PAGES, request, response);
  } catch (error) {
    var cached = await caches.match(request, {cacheName: PAGES});
    if (cached) return cached;
    throw error;
  }
}

/* The kept copy at once; the network's copy kept for next time (static URLs carry no version). */
async function cacheFirst(event) {
  var request = event.request;
  var fresh = fetch(request).then(function (response) { return keep(ASSETS, request, response); });
  var cached = await caches.match(request, {cacheName: ASSETS});
  if (cached) {
    event.waitUntil(fresh.catch(function () { return null; }));
    return cached;
  }
  return fresh;
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/login") {
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (isPage(url)) event.respondWith(networkFirst(request));
  else if (isAsset(url)) event.respondWith(cacheFirst(event));
});

/* The page opened before the worker controlled it: fetch and keep its URL and assets now. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  event.waitUntil(Promise.all(data.urls.map(function (href) {
    var url = new URL(href, self.location.origin);
    if (url.origin !== self.location.origin || !(isPage(url) || isAsset(url))) return null;
    // What the page has just loaded is taken from the browser's HTTP cache, not downloaded again.
    return fetch(url, {credentials: "same-origin", cache: "force-cache"}).then(function (response) {
      return keep(isPage(url) ? PAGES : ASSETS, url.href, response);
    }).catch(function () { return null; });
  })).then(function () {
    if (event.source) event.source.postMessage({type: "kept"});
  }));
});

// Logging out empties what the field pages keep on this phone: the cached pages (the user's own children and
// families) and the queue of entries not sent yet — after asking, when there are some. The login page empties the
// cached pages too (a session that ended elsewhere), but keeps the queue: it is sent after the next login.
const CACHE = "binasehat-field-v1";
const DB = "binasehat-field";

function queued() {
  return new Promise((resolve) => {
    if (!self.indexedDB) return resolve(0);
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => {  // the same stores as field.js makes
      open.result.createObjectStore("queue", { keyPath: "client_id" });
      open.result.createObjectStore("problems", { keyPath: "client_id" });
    };
    open.onsuccess = () => {
      const conn = open.result;
      const count = conn.transaction("queue", "readonly").objectStore("queue").count();
      count.onsuccess = () => { conn.close(); resolve(count.result); };
      count.onerror = () => { conn.close(); resolve(0); };
    };
    open.onerror = () => resolve(0);
  });
}

function forget() {
  return new Promise((resolve) => {
    if (!self.indexedDB) return resolve();
    const request = indexedDB.deleteDatabase(DB);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

async function dropPages() {
  if (self.caches) await caches.delete(CACHE);
}

for (const form of document.querySelectorAll("form[data-field-logout]")) {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.cleared) return;
    event.preventDefault();
    if ((await queued()) > 0 && !confirm(form.dataset.unsent)) return;
    await dropPages();
    await forget();
    form.dataset.cleared = "1";
    form.submit();
  });
}
const login = document.currentScript && document.currentScript.dataset.loginUrl;
if (login && location.pathname === login && !document.querySelector("form[data-field-logout]")) dropPages();

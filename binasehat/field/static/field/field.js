// The posyandu day offline: entries (a new child, a weighing) are kept in IndexedDB with a client id and sent to
// the server when there is a connection. The server stores each client id once, so sending again is safe. A
// conflict (the record changed on the server) is shown with both versions and decided by the user.
const root = document.getElementById("field");
// The page as the server sent it (before this module changes it): kept for offline use without fetching it again.
const pageHtml = `<!doctype html>\n${document.documentElement.outerHTML}`;
const CACHE = "binasehat-field-v1";
const T = (id, fallback) => (document.getElementById(id) || {}).textContent || fallback;

function uuid() {
  if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function db() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("binasehat-field", 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore("queue", { keyPath: "client_id" });
      open.result.createObjectStore("problems", { keyPath: "client_id" });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function store(name, mode, fn) {
  const conn = await db();
  return new Promise((resolve, reject) => {
    const tx = conn.transaction(name, mode);
    const result = fn(tx.objectStore(name));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
  });
}
const all = (name) => store(name, "readonly", (s) => s.getAll());
const put = (name, value) => store(name, "readwrite", (s) => s.put(value));
const del = (name, key) => store(name, "readwrite", (s) => s.delete(key));

function csrf() {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (cookie) return cookie.slice("csrftoken=".length);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// A date as the page's language writes it ("3 Des 2026" in Indonesian), from the form's ISO value.
function dateText(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  if (!m) return iso || "";
  const day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(document.documentElement.lang || "id", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
    .format(day).replace(/\.(?= )/, "");
}

function label(entry) {
  const d = entry.data;
  if (entry.kind === "family_visit") return `${T("t-family", "Kunjungan keluarga")}: ${document.querySelector("h1")?.textContent || d.family} · ${dateText(d.visited_on)}`;
  if (entry.kind === "child") return `${T("t-new-child", "Anak baru")}: ${d.name}`;
  const option = document.querySelector(`#f-child option[value="${CSS.escape(String(d.child))}"]`);
  const name = option ? option.textContent : d.child;
  return `${T("t-weighing", "Penimbangan")}: ${name} · ${dateText(d.measured_on)} · ${d.weight_kg || "—"} kg ${d.lenhei_cm ? "· " + d.lenhei_cm + " cm" : ""}`;
}

async function render() {
  const queue = (await all("queue")).sort((a, b) => a.created - b.created);
  const list = document.getElementById("queue-list");
  list.replaceChildren(...queue.map((e) => {
    const li = document.createElement("li");
    li.className = "pending";
    li.dataset.clientId = e.client_id;
    li.textContent = `${label(e)} — ${T("t-not-sent", "belum terkirim")}`;
    return li;
  }));
  document.getElementById("queue").hidden = queue.length === 0;
  // Children registered offline can be weighed offline too.
  const select = document.getElementById("f-child");
  if (select) {
    for (const e of queue.filter((q) => q.kind === "child")) {
      const value = `client:${e.client_id}`;
      if (!select.querySelector(`option[value="${value}"]`)) {
        const option = new Option(`${e.data.name} (${T("t-not-sent", "belum terkirim")})`, value);
        select.add(option);
      }
    }
  }
  const problems = await all("problems");
  const box = document.getElementById("conflict-list");
  box.replaceChildren(...problems.map(problemItem));
  document.getElementById("conflicts").hidden = problems.length === 0;
}

function versionText(v) {
  if (!v) return "—";
  if (Array.isArray(v)) return v.map((c) => `${c.name}, ${c.birth_date}, ${c.mother_name || "—"} (${c.posyandu})`).join("; ");
  const names = { weight_kg: "BB (kg)", lenhei_cm: "PB/TB (cm)", muac_cm: "LiLA (cm)" };
  return ["weight_kg", "lenhei_cm", "muac_cm"].filter((k) => v[k]).map((k) => `${names[k]}: ${v[k]}`).join(", ")
    || v.name || "—";
}

function problemItem(p) {
  const li = document.createElement("li");
  li.className = `problem problem-${p.result.status}`;
  li.dataset.clientId = p.client_id;
  const title = document.createElement("p");
  title.textContent = `${label(p.entry)} — ${p.result.reason || ""}`;
  li.append(title);
  if (p.result.status === "conflict") {
    const both = document.createElement("dl");
    both.className = "versions";
    both.innerHTML = `<dt>${T("t-server", "Di server")}</dt><dd class="server"></dd><dt>${T("t-mine", "Isian Anda")}</dt><dd class="mine"></dd>`;
    both.querySelector(".server").textContent = versionText(p.result.server);
    both.querySelector(".mine").textContent = versionText(p.result.mine);
    li.append(both);
    if (p.entry.kind === "measurement") {
      const mine = document.createElement("button");
      mine.type = "button";
      mine.className = "use-mine";
      mine.textContent = T("t-use-mine", "Pakai isian saya");
      mine.addEventListener("click", async () => {
        await del("problems", p.client_id);
        await put("queue", { ...p.entry, client_id: uuid(), base: p.result.server, created: Date.now() });
        await render();
        flush();
      });
      li.append(mine);
    }
  }
  const drop = document.createElement("button");
  drop.type = "button";
  drop.className = "use-server";
  drop.textContent = p.result.status === "conflict" ? T("t-use-server", "Pakai data server") : T("t-drop", "Hapus");
  drop.addEventListener("click", async () => { await del("problems", p.client_id); render(); });
  li.append(drop);
  return li;
}

let sending = false;
async function flush() {
  if (sending || !navigator.onLine) return null;
  const queue = (await all("queue")).sort((a, b) => a.created - b.created);
  if (!queue.length) return null;
  sending = true;
  try {
    const response = await fetch(root.dataset.syncUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
      body: JSON.stringify({ entries: queue.map(({ client_id, kind, data, base }) => ({ client_id, kind, data, base })) }),
    });
    if (!response.ok) return null;
    const { results } = await response.json();
    const byId = Object.fromEntries(queue.map((e) => [e.client_id, e]));
    for (const result of results) {
      const entry = byId[result.client_id];
      if (!entry) continue;
      await del("queue", entry.client_id);
      if (result.status !== "ok") await put("problems", { client_id: entry.client_id, entry, result });
    }
    // A visit of this family stored: show its IKS (the page as the server now has it).
    if (root.dataset.family && results.some((r) => r.status === "ok" && r.family && String(r.family.id) === root.dataset.family)) {
      location.assign(root.dataset.familyUrl);
    }
    return results;
  } catch (err) {
    return null; // still offline: the entries stay queued
  } finally {
    sending = false;
    await render();
  }
}

function network() {
  document.getElementById("net").hidden = navigator.onLine;
  if (navigator.onLine) flush();
}

for (const form of document.querySelectorAll("form[data-queue]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const data = Object.fromEntries(new FormData(form));
    delete data.csrfmiddlewaretoken;
    delete data.client_id;
    delete data.action;
    if (root.dataset.posyandu) data.posyandu = root.dataset.posyandu;
    if (root.dataset.family) data.family = root.dataset.family;
    const entry = { client_id: uuid(), kind: form.dataset.queue, data, created: Date.now() };
    if (entry.kind === "measurement") entry.base = null;
    if (entry.kind === "family_visit") entry.base = JSON.parse(document.getElementById("visit-base").textContent);
    await put("queue", entry);
    if (entry.kind !== "family_visit") form.reset();
    await render();
    const results = await flush();
    const mine = results && results.find((r) => r.client_id === entry.client_id);
    if (mine && mine.status === "ok" && mine.child) {
      location.assign(`${root.dataset.dayUrl}?anak=${mine.child.id}&kirim=${entry.client_id.slice(0, 8)}#${entry.kind === "child" ? "timbang" : "result"}`);
    }
  });
}

const search = document.getElementById("f-q");
if (search) {
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const li of document.querySelectorAll("#children li[data-search]")) {
      li.hidden = !words.every((w) => li.dataset.search.includes(w));
    }
  });
}

document.getElementById("queue-send")?.addEventListener("click", flush);
window.addEventListener("online", network);
window.addEventListener("offline", network);
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(root.dataset.swUrl, { scope: "/lapangan/" }).then(async () => {
    const ready = await navigator.serviceWorker.ready;
    if (self.caches) {
      const cache = await caches.open(CACHE);
      await cache.put(location.pathname + location.search, new Response(pageHtml, { headers: { "Content-Type": "text/html; charset=utf-8" } }));
    }
    const urls = [...[...document.querySelectorAll("link[rel=stylesheet], script[src]")]
      .map((e) => e.getAttribute("href") || e.getAttribute("src")),
      ...[...document.querySelectorAll("#families[data-precache] a[href], #children a[href]")].slice(0, 300)
        .map((a) => new URL(a.href).pathname).filter((p) => p.startsWith("/lapangan/"))];
    ready.active.postMessage({ type: "cache-urls", urls });
  }).catch(() => {});
}
render().then(network);

/* The grid worker's outbox: patrol reports, verification results and their photos are first kept in IndexedDB
   (photos as Blobs), then sent in the order they were made, now when there is a signal, later when it returns.
   Each item keeps the Idempotency-Key it was made with, so a resend after a lost answer gives back the case the
   first send made, never a second one; a photo leaves the item as soon as the server has it. A verification
   carries the case's version: a resend after it went through is refused by the server (the case moved on), and
   the item is then checked against the case's record. */
"use strict";
GG.outbox = (() => {
  const DB = "gg-worker", STORE = "outbox";
  let opened = null;
  const listeners = [];

  function db() {
    if (!opened) {
      opened = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return opened;
  }

  async function tx(mode, fn) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction(STORE, mode);
      const store = t.objectStore(STORE);
      let result;
      Promise.resolve(fn(store)).then((r) => { result = r; });
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error("手机存储空间不足, 未能保存"));
    });
  }
  const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

  const list = () => tx("readonly", (s) => req(s.getAll()));
  const save = (item) => tx("readwrite", (s) => req(s.put(item)));
  const remove = (id) => tx("readwrite", (s) => req(s.delete(id))).then(changed);

  function changed() { return list().then((items) => { listeners.forEach((fn) => fn(items)); return items; }); }
  function onChange(fn) { listeners.push(fn); changed(); }

  /* Keep an item (a report or an action) with its key; it is sent by the next flush. */
  async function add(item) {
    const stored = Object.assign({ key: GG.newKey(), made_at: new Date().toISOString(), status: "waiting", error: "", photos: [] }, item);
    stored.id = await save(stored);
    await changed();
    return stored;
  }

  /* No answer at all (no signal, the server down) or one worth trying again later: the item stays waiting. */
  const later = (e) => !e.status || e.status >= 500 || e.status === 429 || e.status === 401;

  async function uploadPhotos(item, token) {
    while (item.photos.length) {
      const form = new FormData();
      const photo = item.photos[0];
      form.append("file", photo.blob, photo.name);
      const headers = token ? { "X-Upload-Token": token } : {};
      const made = await GG.api("POST", "/api/v1/cases/" + item.case.id + "/photos", form, { headers, noRedirect: true });
      item.photos.shift();
      item.sent_photos = (item.sent_photos || 0) + 1;
      (item.evidence = item.evidence || []).push(made.ref);
      await save(item);
    }
  }

  async function sendReport(item) {
    // the same key gives back the same case (and a fresh photo right): a resend never makes a second case
    const post = () => GG.api("POST", "/api/v1/cases", item.body, { idempotencyKey: item.key, noRedirect: true });
    if (!item.case) { item.case = await post(); await save(item); }
    try { await uploadPhotos(item, item.case.upload_token); }
    catch (e) {
      if (e.status !== 401 && e.status !== 403) throw e;
      item.case = Object.assign(item.case, await post()); // the photo right lasts half an hour: ask again
      await uploadPhotos(item, item.case.upload_token);
    }
    return item.case;
  }

  async function sendAction(item) {
    await uploadPhotos(item, null);
    const body = Object.assign({ action: item.action, version: item.version }, item.fields);
    if (item.evidence && item.evidence.length) body.evidence = item.evidence;
    try {
      return await GG.api("POST", "/api/v1/cases/" + item.case.id + "/actions", body, { idempotencyKey: item.key, noRedirect: true });
    } catch (e) {
      if (e.code !== "conflict" && e.code !== "invalid_transition") throw e;
      // sent before, the answer lost? then the record's latest step is this action, by this user
      const events = await GG.api("GET", "/api/v1/cases/" + item.case.id + "/events", undefined, { noRedirect: true });
      const last = events[events.length - 1];
      const role = GG.config.user && GG.config.user.role;
      if (last && last.action === item.action && last.actor_role === role) return item.case;
      throw e;
    }
  }

  let running = null;
  /* Send everything waiting, oldest first; stop at the first item that finds no signal. */
  function flush(onSent) {
    if (running) return running;
    const work = async () => {
      for (const item of await list()) {
        if (item.status === "failed") continue;
        try {
          const made = item.kind === "report" ? await sendReport(item) : await sendAction(item);
          await remove(item.id);
          if (onSent) onSent(item, made);
        } catch (e) {
          if (later(e)) { item.error = e.status === 401 ? "请重新登录后发送" : ""; await save(item); break; }
          item.status = "failed"; item.error = e.message; // the server refused it: the worker decides
          await save(item);
        }
      }
      return changed();
    };
    const locked = navigator.locks ? () => navigator.locks.request("gg-outbox", work) : work;
    running = locked().finally(() => { running = null; });
    return running;
  }

  /* Photos chosen in a form, made fit to send and kept as Blobs. */
  async function photosOf(input) {
    return (await GG.preparePhotos(input)).map((f) => ({ blob: f, name: f.name, type: f.type }));
  }

  return { add, list, remove, flush, onChange, photosOf };
})();

/* gridgov pages: shared helpers. No framework, no build step; every request goes to this server only. */
"use strict";
const GG = (() => {
  const config = JSON.parse(document.getElementById("gg-config").textContent);

  function cookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
  }

  /* JSON API call with the session cookie; changes echo the CSRF cookie. Errors carry the server's Chinese message. */
  async function api(method, path, body, opts = {}) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = cookie("gg_csrf");
    if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
    Object.assign(headers, opts.headers || {});
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
    const res = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
    if (res.status === 401 && !opts.noRedirect) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      throw new Error("请先登录");
    }
    const type = res.headers.get("content-type") || "";
    const data = type.includes("json") ? await res.json() : await res.text();
    if (!res.ok) {
      const err = data && data.error ? data.error : { code: "http_" + res.status, message: "请求失败 (" + res.status + ")" };
      const problems = err.details && err.details.problems ? "：" + err.details.problems.map((p) => p.field + " " + p.problem).join("；") : "";
      const e = new Error(err.message + problems);
      e.code = err.code; e.status = res.status;
      throw e;
    }
    return data;
  }

  function toast(message, isError) {
    const box = document.getElementById("toast");
    const div = document.createElement("div");
    div.textContent = message;
    if (isError) div.className = "err";
    box.appendChild(div);
    setTimeout(() => div.remove(), isError ? 8000 : 4000);
  }

  /* Build an element: h("td", {class: "x"}, "text", child) — text is always set as text, never as HTML. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function fmtTime(value) {
    if (!value) return "—";
    const d = new Date(value);
    if (isNaN(d)) return String(value);
    return d.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  }

  /* Run a case action; the server checks role, scope, state and version. */
  function act(caseId, action, params, version) {
    const body = Object.assign({ action }, params || {});
    if (version !== undefined && version !== null) body.version = version;
    return api("POST", "/api/v1/cases/" + caseId + "/actions", body);
  }

  const mb = (bytes) => (bytes / 1048576).toFixed(1) + " MB";

  /* A phone's photo made fit to send: drawn on a canvas at most photos.max_side px on its longer side and sent as
     JPEG (no library). A file that is small enough already is sent as it is; one the browser cannot read is sent
     as it is too, and the server says why it refuses it. */
  async function shrink(file) {
    const limits = config.photos || { max_side: 2560, max_bytes: 8388608 };
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || typeof createImageBitmap !== "function") return file;
    let bitmap;
    try { bitmap = await createImageBitmap(file); } catch (e) { return file; }
    const longer = Math.max(bitmap.width, bitmap.height);
    if (longer <= limits.max_side && file.size <= limits.max_bytes / 4) { bitmap.close(); return file; }
    const scale = Math.min(1, limits.max_side / longer);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff"; // a PNG's transparency becomes white, not black
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    if (!blob) return file;
    return new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
  }

  /* The chosen photos, each made fit to send; refused here (before anything is filed) when still too large. */
  async function preparePhotos(input) {
    const limits = config.photos || { max_bytes: 8388608 };
    const out = [];
    for (const file of (input && input.files) || []) {
      const ready = await shrink(file);
      if (ready.size > limits.max_bytes) throw new Error("照片「" + file.name + "」压缩后仍有 " + mb(ready.size) + ", 超过上限 " + mb(limits.max_bytes));
      out.push(ready);
    }
    return out;
  }

  /* Upload the chosen photos (an input, or files already prepared); `uploadToken` is the right a report gets,
     since an anonymous case has no account. */
  async function uploadPhotos(caseId, input, uploadToken) {
    const ids = [];
    const headers = uploadToken ? { "X-Upload-Token": uploadToken } : {};
    const files = Array.isArray(input) ? input : await preparePhotos(input);
    for (const file of files) {
      const form = new FormData();
      form.append("file", file);
      const photo = await api("POST", "/api/v1/cases/" + caseId + "/photos", form, { headers });
      ids.push(photo.ref);
    }
    return ids;
  }

  /* Text fields show how much is left: the limit is the server's (maxlength in the page); past it the form is not
     sent and says by how much, so nothing is ever cut without a word (a paste over the limit included). */
  function counted(root) {
    for (const field of root.querySelectorAll("textarea[maxlength], input[maxlength]:not([type]), input[maxlength][type=text]")) {
      if (field.dataset.max) continue;
      const max = Number(field.getAttribute("maxlength"));
      if (!max || max < 100) continue; // codes and short fields: the browser's limit is enough
      field.dataset.max = String(max);
      field.removeAttribute("maxlength");
      const count = h("small", { class: "count", "aria-live": "polite" });
      field.after(count);
      const show = () => {
        const n = [...field.value].length;
        count.textContent = n + " / " + max + (n > max ? " · 超出 " + (n - max) + " 字, 请删减" : "");
        count.classList.toggle("over", n > max);
        field.setCustomValidity(n > max ? "最多 " + max + " 个字, 已输入 " + n + " 个字" : "");
      };
      field.addEventListener("input", show);
      show();
    }
  }
  /* A form with an over-long field is not sent (capture: before the page's own handler and htmx). */
  document.addEventListener("submit", (ev) => {
    const over = [...ev.target.querySelectorAll("[data-max]")].find((f) => [...f.value].length > Number(f.dataset.max));
    if (!over) return;
    ev.preventDefault(); ev.stopImmediatePropagation();
    showError(over, over.validationMessage || "内容过长");
    over.focus();
  }, true);

  /* Wrap a submit/click handler: disable the button, show errors as a toast and in the form's .error. */
  function guarded(fn) {
    return async (ev) => {
      if (ev && ev.preventDefault) ev.preventDefault();
      const btn = ev && (ev.submitter || (ev.currentTarget instanceof HTMLButtonElement ? ev.currentTarget : null));
      if (btn) btn.disabled = true;
      const form = ev && ev.currentTarget && ev.currentTarget.closest ? ev.currentTarget.closest("form") : null;
      const out = form ? form.querySelector(".error") : null;
      if (out) out.textContent = "";
      try { await fn(ev); } catch (e) { toast(e.message, true); if (out) out.textContent = e.message; }
      finally { if (btn) btn.disabled = false; }
    };
  }

  function debounce(fn, ms) {
    let t;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }

  function newKey() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^a-zA-Z0-9-]/g, "");
  }

  function showError(elt, message) {
    toast(message, true);
    const form = elt && elt.closest ? elt.closest("form") : null;
    const out = form ? form.querySelector(".error") : null;
    if (out) out.textContent = message;
  }

  /* Partials the server draws (htmx): every change carries the CSRF cookie's token; a form with photos uploads
     them first and sends their refs; a refusal shows the server's message; the server's toast is shown. */
  document.addEventListener("htmx:configRequest", (ev) => {
    if (ev.detail.verb !== "get") ev.detail.headers["X-CSRF-Token"] = cookie("gg_csrf");
  });
  document.addEventListener("htmx:confirm", (ev) => {
    const form = ev.detail.elt;
    const files = form instanceof HTMLFormElement ? form.querySelector("input[type=file][data-photos]") : null;
    if (!files || !files.files.length) return;
    ev.preventDefault();
    uploadPhotos(form.closest("[data-panel-case]").dataset.panelCase, files).then((refs) => {
      form.querySelectorAll("input[name=evidence]").forEach((el) => el.remove());
      refs.forEach((ref) => form.append(h("input", { type: "hidden", name: "evidence", value: ref })));
      files.value = ""; // sent once: a retry keeps the refs
      ev.detail.issueRequest(true);
    }).catch((e) => showError(form, e.message));
  });
  document.addEventListener("htmx:beforeRequest", (ev) => {
    const out = ev.detail.elt instanceof HTMLFormElement ? ev.detail.elt.querySelector(".error") : null;
    if (out) out.textContent = "";
  });
  document.addEventListener("htmx:responseError", (ev) => {
    const xhr = ev.detail.xhr;
    if (xhr.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); return; }
    let message = "请求失败 (" + xhr.status + ")";
    try {
      const err = JSON.parse(xhr.responseText).error;
      const problems = err.details && err.details.problems ? "：" + err.details.problems.map((p) => p.field + " " + p.problem).join("；") : "";
      message = err.message + problems;
    } catch (e) { /* not the API's error shape: keep the status */ }
    showError(ev.detail.elt, message);
  });
  document.addEventListener("htmx:sendError", (ev) => showError(ev.detail.elt, "网络错误, 请重试"));
  document.addEventListener("gg-toast", (ev) => toast(ev.detail.value));
  /* A case panel swapped in: the box names its case, shows itself and takes the focus after an action. */
  document.addEventListener("htmx:afterSwap", (ev) => {
    const panel = ev.detail.target;
    const body = panel.classList.contains("panel") ? panel.querySelector(":scope > [data-panel-case]") : null;
    if (!body) return;
    panel.dataset.caseId = body.dataset.panelCase;
    panel.hidden = false;
    const title = panel.querySelector(".panel-title");
    if (ev.detail.requestConfig && ev.detail.requestConfig.verb !== "get" && title) title.focus();
    else if (window.matchMedia("(max-width: 759px)").matches) { // a phone: the panel is below the list, bring it up
      panel.scrollIntoView({ block: "start" });
      if (title) title.focus({ preventScroll: true });
    } else panel.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("htmx:load", (ev) => counted(ev.detail.elt.parentNode || ev.detail.elt));
  /* The reporter's 补充照片 on an open case (signed in: their account is the right; the panel draws the form). */
  document.addEventListener("submit", (ev) => {
    const form = ev.target.closest ? ev.target.closest("form[data-add-photos]") : null;
    if (!form) return;
    guarded(async () => {
      const note = form.querySelector("[data-photo-result]");
      const refs = await uploadPhotos(form.dataset.addPhotos, form.photos);
      note.textContent = "已补传照片 " + refs.length + " 张";
      form.reset();
      toast("已补传照片 " + refs.length + " 张");
    })({ preventDefault: () => ev.preventDefault(), submitter: ev.submitter, currentTarget: form });
  });
  /* a button that fills a field (e.g. a duplicate hint into 并案's tracking code) */
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest ? ev.target.closest("button[data-fill]") : null;
    const field = btn ? document.querySelector(btn.dataset.fill) : null;
    if (field) { field.value = btn.dataset.value; field.focus(); }
  });
  document.addEventListener("DOMContentLoaded", () => {
    counted(document);
    const out = document.getElementById("logout");
    if (out) out.addEventListener("click", guarded(async () => {
      await api("POST", "/api/v1/auth/logout", undefined, { noRedirect: true }).catch(() => null);
      location.href = "/login";
    }));
  });

  return { config, api, toast, h, fmtTime, act, uploadPhotos, preparePhotos, mb, counted, guarded, debounce, newKey, cookie };
})();

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

  /* Upload the chosen photos; `uploadToken` is the right an anonymous report gets, since its case has no account. */
  async function uploadPhotos(caseId, input, uploadToken) {
    const ids = [];
    const headers = uploadToken ? { "X-Upload-Token": uploadToken } : {};
    for (const file of (input && input.files) || []) {
      const form = new FormData();
      form.append("file", file);
      const photo = await api("POST", "/api/v1/cases/" + caseId + "/photos", form, { headers });
      ids.push(photo.ref);
    }
    return ids;
  }

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
    else panel.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("DOMContentLoaded", () => {
    const out = document.getElementById("logout");
    if (out) out.addEventListener("click", guarded(async () => {
      await api("POST", "/api/v1/auth/logout", undefined, { noRedirect: true }).catch(() => null);
      location.href = "/login";
    }));
  });

  return { config, api, toast, h, fmtTime, act, uploadPhotos, guarded, debounce, newKey, cookie };
})();

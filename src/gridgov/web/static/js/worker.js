/* Grid worker (phone): a patrol report with a pin and photos. The lists of my grids' cases and the on-site
   verification (pass → close, fail → rework) are drawn on the server (/worker/items, the case panel).
   The screen works without a signal: the service worker (/worker/sw.js) keeps it, and every report — and a
   verification made offline — waits in the outbox (outbox.js) until it is sent; the screen lists what waits. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const form = document.getElementById("patrol-form");
  const result = document.getElementById("patrol-result");
  const grid = GG.config.user && (GG.config.user.grid_code || (GG.config.user.unit && GG.config.user.unit.grid_code));
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/worker/sw.js", { scope: "/worker" }).catch(() => null); // no SW: online only
  }
  const m = GG.map.make(document.getElementById("map"), {
    pick: true,
    onPick: async (p) => {
      const where = document.getElementById("where");
      where.textContent = "已标出 " + p.lat.toFixed(5) + ", " + p.lon.toFixed(5);
      const found = await GG.map.locate(p).catch(() => null);
      const mine = (GG.config.user && GG.config.user.grid_prefixes) || [];
      if (!found) where.textContent += navigator.onLine ? " · 不在本市网格范围内" : " · 无网络, 发送时定位网格";
      else if (!found.inside) where.textContent += " · 不在本市网格范围内";
      else if (mine.length && !mine.some((g) => found.code.startsWith(g))) where.textContent += " · " + found.name + " (不在我的网格, 将由所在网格处理)";
      else where.textContent += " · " + found.name;
      m.showPicked(found).catch(() => null);
    },
  });
  m.showBoundaries(grid && /^\d{15}$/.test(grid) ? grid : GG.config.city.grid_code, !(grid && /^\d{15}$/.test(grid))).catch(() => null);

  /* what waits to be sent */
  const KINDS = { report: "巡查上报", verify: "核查通过", rework: "核查不通过 (返工)" };
  const box = document.getElementById("outbox");
  const list = document.getElementById("outbox-items");
  GG.outbox.onChange((items) => {
    box.hidden = items.length === 0;
    document.getElementById("outbox-count").textContent = String(items.length);
    list.replaceChildren(...items.map((item) => h("li", { dataset: { outbox: item.key, kind: item.kind } },
      h("b", {}, KINDS[item.kind === "report" ? "report" : item.action]), " ", item.label,
      item.photos.length ? " · 照片 " + item.photos.length + " 张待发" : "",
      h("div", { class: item.status === "failed" ? "error" : "muted" },
        item.status === "failed" ? "未能发送: " + item.error : item.error || (navigator.onLine ? "正在发送 …" : "等待网络")),
      item.status === "failed" ? h("button", { type: "button", class: "link", onclick: () => GG.outbox.remove(item.id) }, "删除") : null,
    )));
  });
  const sent = (item, made) => {
    if (item.kind === "report") {
      result.replaceChildren("已上报 ", h("a", { href: "/cases/" + made.id }, made.tracking_code));
      if (item.sent_photos) result.append(" · 照片 " + item.sent_photos + " 张");
    } else GG.toast(KINDS[item.action] + " 已发送 · " + item.label);
    htmx.trigger(document.body, "gg-changed"); // the lists (drawn on the server) show the new case
  };
  const flush = () => GG.outbox.flush(sent).catch((e) => GG.toast(e.message, true));
  document.getElementById("outbox-send").addEventListener("click", flush);
  window.addEventListener("online", flush);
  setInterval(() => { if (navigator.onLine) flush(); }, 30000); // a signal that came back without an online event
  flush();

  const moveTo = GG.debounce(() => navigator.onLine && m.goToAddress(form.address.value.trim()).catch(() => null), 300);
  form.address.addEventListener("input", moveTo);
  document.getElementById("locate-me").addEventListener("click", GG.guarded(() => m.useMyLocation()));
  form.addEventListener("submit", GG.guarded(async () => {
    const title = form.title.value.trim();
    if (!title) { form.title.focus(); throw new Error("请填写发现的问题"); }
    GG.map.confirmPlace(m);
    const body = { title, description: form.description.value.trim(), source: "patrol", address: form.address.value.trim() };
    if (m.point) Object.assign(body, { lat: m.point.lat, lon: m.point.lon, crs: m.point.crs });
    else if (grid && /^\d{15}$/.test(grid)) body.grid_code = grid;
    const photos = await GG.outbox.photosOf(form.photos);
    await GG.outbox.add({ kind: "report", label: title, body, photos }); // kept first, with its key: sent once
    form.reset(); m.clearPoint(); document.getElementById("where").textContent = "点击地图或使用当前位置";
    result.textContent = navigator.onLine ? "正在发送 …" : "无网络: 已保存在手机上, 有网络时自动发送";
    await flush();
  }));

  /* A verification made without a signal is kept too (online, the panel's form posts as usual). */
  document.addEventListener("submit", async (ev) => {
    const action = ev.target.closest && ev.target.closest("#worker-panel form.action[data-action]");
    if (!action || navigator.onLine || !KINDS[action.dataset.action] || action.dataset.action === "report") return;
    ev.preventDefault(); ev.stopImmediatePropagation();
    if (!action.reportValidity()) return;
    const panel = action.closest("[data-panel-case]");
    const fields = {};
    for (const name of ["note", "reason"]) if (action.elements[name]) fields[name] = action.elements[name].value.trim();
    const evidence = [...action.querySelectorAll("input[name=evidence]")].map((el) => el.value);
    try {
      const photos = await GG.outbox.photosOf(action.querySelector("input[type=file][data-photos]"));
      const item = { kind: "action", action: action.dataset.action, version: Number(action.elements.version.value), fields, evidence, photos };
      item.case = { id: Number(panel.dataset.panelCase) };
      const row = document.querySelector("#worker-lists [data-case-id='" + item.case.id + "']");
      item.label = row ? row.textContent.trim().split("\n")[0] : "案件 " + item.case.id;
      await GG.outbox.add(item);
      document.getElementById("worker-panel").hidden = true;
      GG.toast("无网络: 核查结果已保存, 有网络时自动发送");
    } catch (e) { GG.toast(e.message, true); }
  }, true);
});

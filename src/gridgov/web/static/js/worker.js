/* Grid worker (phone): a patrol report with a pin and photos. The lists of my grids' cases and the on-site
   verification (pass → close, fail → rework) are drawn on the server (/worker/items, the case panel). */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const form = document.getElementById("patrol-form");
  let key = GG.newKey();
  const grid = GG.config.user && (GG.config.user.grid_code || (GG.config.user.unit && GG.config.user.unit.grid_code));
  const m = GG.map.make(document.getElementById("map"), {
    pick: true,
    onPick: async (p) => {
      const where = document.getElementById("where");
      where.textContent = "已标出 " + p.lat.toFixed(5) + ", " + p.lon.toFixed(5);
      const found = await GG.map.locate(p).catch(() => null);
      const mine = (GG.config.user && GG.config.user.grid_prefixes) || [];
      if (!found || !found.inside) where.textContent += " · 不在本市网格范围内";
      else if (mine.length && !mine.some((g) => found.code.startsWith(g))) where.textContent += " · " + found.name + " (不在我的网格, 将由所在网格处理)";
      else where.textContent += " · " + found.name;
    },
  });
  m.showBoundaries(grid && /^\d{15}$/.test(grid) ? grid : GG.config.city.grid_code, !(grid && /^\d{15}$/.test(grid))).catch(() => null);

  document.getElementById("locate-me").addEventListener("click", GG.guarded(() => m.useMyLocation()));
  form.addEventListener("submit", GG.guarded(async () => {
    const title = form.title.value.trim();
    if (!title) { form.title.focus(); throw new Error("请填写发现的问题"); }
    const body = { title, description: form.description.value.trim(), source: "patrol" };
    if (m.point) Object.assign(body, { lat: m.point.lat, lon: m.point.lon, crs: m.point.crs });
    else if (grid && /^\d{15}$/.test(grid)) body.grid_code = grid;
    const made = await GG.api("POST", "/api/v1/cases", body, { idempotencyKey: key });
    key = GG.newKey(); // the case exists: whatever happens to the photos, the next report is a new one
    const result = document.getElementById("patrol-result");
    result.replaceChildren("已上报 ", h("a", { href: "/cases/" + made.id }, made.tracking_code));
    try {
      const refs = await GG.uploadPhotos(made.id, form.photos, made.upload_token);
      if (refs.length) result.append(" · 照片 " + refs.length + " 张");
    } catch (e) { result.append(" · 照片上传失败: " + e.message); GG.toast("照片上传失败: " + e.message, true); }
    form.reset(); m.clearPoint(); document.getElementById("where").textContent = "点击地图或使用当前位置";
    htmx.trigger(document.body, "gg-changed"); // the lists (drawn on the server) show the new case
  }));
});

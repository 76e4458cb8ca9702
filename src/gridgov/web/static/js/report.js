/* Resident: report a problem with a pin or "use my location", a category, text and photos; get a tracking code. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("report-form");
  const where = document.getElementById("where");
  let key = GG.newKey(); // one idempotency key per report: a double tap never makes two cases
  const m = GG.map.make(document.getElementById("map"), {
    pick: true,
    onPick: async (p) => {
      where.textContent = "已标出位置 " + p.lat.toFixed(5) + ", " + p.lon.toFixed(5) + " · 正在定位网格 …";
      const found = await GG.map.locate(p).catch(() => null);
      where.textContent = found && found.inside
        ? "位置: " + found.ancestors.concat([{ name: found.name }]).map((a) => a.name).filter(Boolean).slice(1).join(" / ")
        : "该位置不在本市网格范围内, 请重新选择";
    },
  });
  m.showBoundaries(GG.config.city.grid_code).catch((e) => GG.toast(e.message, true));
  GG.api("GET", "/api/v1/categories?taxonomy=hotline12345&parent=").then((rows) => {
    const sel = document.getElementById("category");
    rows.forEach((c) => sel.append(GG.h("option", { value: c.code }, c.name)));
  }).catch(() => null);
  document.getElementById("locate-me").addEventListener("click", GG.guarded(() => m.useMyLocation()));

  form.addEventListener("submit", GG.guarded(async () => {
    const title = form.title.value.trim();
    if (!title) { form.title.focus(); throw new Error("请填写问题概述"); }
    if (!m.point && !form.address.value.trim()) throw new Error("请在地图上标出位置或填写地址");
    const body = {
      title, description: form.description.value.trim(), source: "web", address: form.address.value.trim(),
      anonymous: form.anonymous.checked, reporter_phone: form.anonymous.checked ? "" : form.reporter_phone.value.trim(),
    };
    if (form.category_code.value) body.category_code = form.category_code.value;
    if (m.point) Object.assign(body, { lat: m.point.lat, lon: m.point.lon, crs: m.point.crs });
    const made = await GG.api("POST", "/api/v1/cases", body, { idempotencyKey: key });
    // the case exists now: show its code whatever happens to the photos
    document.getElementById("tracking-code").textContent = made.tracking_code;
    document.getElementById("report-card").hidden = true;
    document.getElementById("receipt").hidden = false;
    document.getElementById("receipt").focus();
    const note = document.getElementById("photo-result");
    note.textContent = "";
    if (form.photos.files.length) {
      try { const refs = await GG.uploadPhotos(made.id, form.photos, made.upload_token); note.textContent = "已上传照片 " + refs.length + " 张"; }
      catch (e) { note.textContent = "案件已受理, 但照片上传失败: " + e.message; GG.toast(note.textContent, true); }
    }
  }));
  const anonymous = document.getElementById("anonymous");
  anonymous.addEventListener("change", () => {
    // an anonymous case is tied to no account: photos go up with the one-off right the report returns
    form.reporter_phone.disabled = anonymous.checked;
    document.getElementById("anonymous-note").hidden = !anonymous.checked;
  });
  document.getElementById("again").addEventListener("click", () => {
    form.reset(); key = GG.newKey(); m.clearPoint(); where.textContent = "尚未标出位置";
    form.reporter_phone.disabled = false; document.getElementById("anonymous-note").hidden = true;
    document.getElementById("report-card").hidden = false;
    document.getElementById("receipt").hidden = true;
  });
});

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
      m.showPicked(found).catch(() => null);
    },
  });
  m.showBoundaries(GG.config.city.grid_code).catch((e) => GG.toast(e.message, true));
  GG.api("GET", "/api/v1/categories?taxonomy=hotline12345&parent=").then((rows) => {
    const sel = document.getElementById("category");
    rows.forEach((c) => sel.append(GG.h("option", { value: c.code }, c.name)));
  }).catch(() => null);
  const moveTo = GG.debounce(() => m.goToAddress(form.address.value.trim()).catch(() => null), 300);
  form.address.addEventListener("input", moveTo);
  document.getElementById("locate-me").addEventListener("click", GG.guarded(() => m.useMyLocation()));

  form.addEventListener("submit", GG.guarded(async () => {
    const title = form.title.value.trim();
    if (!title) { form.title.focus(); throw new Error("请填写问题概述"); }
    if (!m.point && !form.address.value.trim()) throw new Error("请在地图上标出位置或填写地址");
    GG.map.confirmPlace(m);
    const body = {
      title, description: form.description.value.trim(), source: "web", address: form.address.value.trim(),
      anonymous: form.anonymous.checked, reporter_phone: form.anonymous.checked ? "" : form.reporter_phone.value.trim(),
    };
    if (form.category_code.value) body.category_code = form.category_code.value;
    if (m.point) Object.assign(body, { lat: m.point.lat, lon: m.point.lon, crs: m.point.crs });
    const photos = await GG.preparePhotos(form.photos); // made fit (and checked) before anything is filed
    const made = await GG.api("POST", "/api/v1/cases", body, { idempotencyKey: key });
    last = made;
    // the case exists now: show its code whatever happens to the photos, then the receipt with its 查询码
    document.getElementById("receipt-body").replaceChildren(GG.h("p", {}, "您的查询编号"), GG.h("p", { class: "tracking", id: "tracking-code" }, made.tracking_code));
    document.getElementById("report-card").hidden = true;
    document.getElementById("receipt").hidden = false;
    document.getElementById("receipt").focus();
    htmx.ajax("GET", "/report/receipt/" + made.id, { target: "#receipt-body", swap: "outerHTML", headers: { "X-Upload-Token": made.upload_token } });
    const note = document.getElementById("photo-result");
    note.textContent = "";
    if (photos.length) {
      try { const refs = await GG.uploadPhotos(made.id, photos, made.upload_token); note.textContent = "已上传照片 " + refs.length + " 张"; }
      catch (e) { note.textContent = "案件已受理, 但照片上传失败: " + e.message + " (可在下方补传)"; GG.toast(note.textContent, true); }
    }
  }));
  let last = null;
  const more = document.getElementById("more-photos");
  more.addEventListener("submit", GG.guarded(async () => {
    const input = document.getElementById("more-photos-input");
    if (!last || !input.files.length) throw new Error("请先选择照片");
    const refs = await GG.uploadPhotos(last.id, input, last.upload_token);
    input.value = "";
    document.getElementById("photo-result").textContent = "已补传照片 " + refs.length + " 张";
  }));
  const anonymous = document.getElementById("anonymous");
  anonymous.addEventListener("change", () => {
    // an anonymous case is tied to no account: photos go up with the one-off right the report returns
    form.reporter_phone.disabled = anonymous.checked;
    document.getElementById("anonymous-note").hidden = !anonymous.checked;
  });
  document.getElementById("again").addEventListener("click", () => {
    form.reset(); key = GG.newKey(); last = null; m.clearPoint(); where.textContent = "尚未标出位置";
    form.reporter_phone.disabled = false; document.getElementById("anonymous-note").hidden = true;
    document.getElementById("report-card").hidden = false;
    document.getElementById("receipt").hidden = true;
  });
});

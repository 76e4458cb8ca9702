/* Admin screen (/admin): users (create, change, password, unlock, deactivate, tokens, record) and the responsibility
   tester, through /api/v1/admin. The server checks every change and writes it on the admin record. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const meta = JSON.parse(document.getElementById("gg-admin").textContent);
  const panel = document.getElementById("user-panel");
  const form = document.getElementById("user-form");
  const secret = document.getElementById("u-secret");
  let current = null;
  const grids = (text) => text.split(/[\s,，]+/).map((s) => s.trim()).filter(Boolean);
  const enc = encodeURIComponent;

  function setPicker(root, code, name) {
    const picker = root.querySelector("[data-picker]");
    picker.querySelector("input[type=hidden]").value = code || "";
    picker.querySelector("input[role=combobox]").value = name || "";
    picker.querySelector(".picked").textContent = code || "";
  }

  async function open(username) {
    const users = await GG.api("GET", "/api/v1/admin/users?q=" + enc(username));
    current = users.find((u) => u.username === username);
    if (!current) throw new Error("用户不存在: " + username);
    panel.hidden = false;
    secret.hidden = true;
    document.getElementById("user-title").textContent = current.username + " · " + current.role_label + (current.active ? "" : " · 已停用");
    form.display_name.value = current.display_name;
    form.role.value = current.role;
    setPicker(form, current.unit && current.unit.code, current.unit && current.unit.name);
    form.grids.value = current.grids.join("\n");
    document.getElementById("u-deactivate").disabled = !current.active;
    const tokens = await GG.api("GET", "/api/v1/admin/users/" + enc(username) + "/tokens");
    document.getElementById("u-tokens").replaceChildren(...tokens.map((t) => h("li", { dataset: { token: t.id } },
      (t.kind === "session" ? "会话 " : "令牌 ") + t.prefix + "… · " + (t.name || "") + " · " + GG.fmtTime(t.created_at),
      t.revoked_at ? " · 已吊销" : h("button", { type: "button", class: "link", onclick: GG.guarded(async () => {
        await GG.api("POST", "/api/v1/admin/users/" + enc(username) + "/tokens/" + t.id + "/revoke");
        GG.toast("已吊销"); await open(username);
      }) }, " 吊销"))));
    const record = await GG.api("GET", "/api/v1/admin/users/" + enc(username) + "/record");
    document.getElementById("u-record").replaceChildren(...record.map((e) => h("li", {},
      GG.fmtTime(e.occurred_at) + " · " + (meta.actions[e.action] || e.action), h("small", { class: "code" }, " " + e.hash.slice(0, 12)))));
    document.getElementById("user-title").focus();
  }
  document.getElementById("users").addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-open]");
    if (btn) open(btn.dataset.open).catch((e) => GG.toast(e.message, true));
  });

  form.addEventListener("submit", GG.guarded(async () => {
    const body = { display_name: form.display_name.value.trim(), role: form.role.value, unit_code: form.unit_code.value, grids: grids(form.grids.value) };
    await GG.api("PATCH", "/api/v1/admin/users/" + enc(current.username), body);
    GG.toast("已保存"); location.reload();
  }));
  document.getElementById("u-password").addEventListener("click", GG.guarded(async () => {
    const made = await GG.api("POST", "/api/v1/admin/users/" + enc(current.username) + "/password", {});
    secret.hidden = false;
    secret.textContent = "新密码 (只显示这一次, 请当面交给本人): " + made.password;
  }));
  document.getElementById("u-unlock").addEventListener("click", GG.guarded(async () => {
    const done = await GG.api("POST", "/api/v1/admin/users/" + enc(current.username) + "/unlock");
    GG.toast("已解除登录限制 (" + done.addresses_cleared + " 个地址)"); await open(current.username);
  }));
  document.getElementById("u-deactivate").addEventListener("click", GG.guarded(async () => {
    if (!confirm("停用 " + current.username + "? 其全部会话与令牌将被吊销。")) return;
    const done = await GG.api("POST", "/api/v1/admin/users/" + enc(current.username) + "/deactivate");
    GG.toast("已停用 · 吊销 " + done.tokens_revoked + " 个令牌/会话"); location.reload();
  }));

  const create = document.getElementById("create-form");
  create.addEventListener("submit", GG.guarded(async () => {
    if (!create.username.value.trim()) { create.username.focus(); throw new Error("请填写用户名"); }
    const body = { username: create.username.value.trim(), display_name: create.display_name.value.trim(), role: create.role.value,
      unit_code: create.unit_code.value || null, grids: grids(create.grids.value) };
    if (create.password.value) body.password = create.password.value;
    const made = await GG.api("POST", "/api/v1/admin/users", body);
    const out = document.getElementById("create-result");
    out.replaceChildren("已创建 ", h("b", {}, made.username), made.password ? " · 初始密码 (只显示这一次): " + made.password : "");
    create.reset(); setPicker(create, "", "");
  }));

  const tester = document.getElementById("tester-form");
  tester.addEventListener("submit", GG.guarded(async () => {
    if (!tester.category.value || !tester.grid.value) throw new Error("请选择类别和网格");
    const a = await GG.api("GET", "/api/v1/admin/responsible?category=" + enc(tester.category.value) + "&grid=" + enc(tester.grid.value));
    document.getElementById("tester-answer").replaceChildren(
      h("p", { class: a.unit ? "" : "error", id: "tester-unit" }, a.message, a.unit ? h("small", { class: "code" }, " " + a.unit.code) : ""),
      h("ol", {}, a.rules.map((r) => h("li", {}, r.category + " · " + r.grid_prefix + " → " + r.target_label + (r.unit ? " " + r.unit : "")))));
  }));
});

/* Grid versions: preview a file on the map (problems in red, where GEOS names a point a marker there), import
   (refused whole when anything is wrong), activate, compare two versions. */
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const form = document.getElementById("grid-form");
  const box = document.getElementById("g-map");
  const summary = document.getElementById("g-summary");
  const importBtn = document.getElementById("g-import");
  let map = null, layer = null;

  function draw(preview) {
    box.hidden = false;
    if (!map) map = GG.map.make(box, { fit: true });
    if (layer) layer.remove();
    layer = L.featureGroup().addTo(map.map);
    const shapes = L.geoJSON(preview.features, {
      style: (f) => f.properties.problems.length
        ? { color: "#b71c1c", weight: 3, fillColor: "#e53935", fillOpacity: 0.45, className: "grid-bad" }
        : { color: "#1565c0", weight: 1, fillColor: "#90caf9", fillOpacity: 0.2, className: "grid-ok" },
      onEachFeature: (f, l) => l.bindTooltip(h("span", {}, (f.properties.name || f.properties.code) + (f.properties.problems.length ? ": " + f.properties.problems.join("；") : "")), { sticky: true }),
    }).addTo(layer);
    for (const p of preview.points) {
      L.circleMarker([p.lat, p.lon], { radius: 7, color: "#000", weight: 2, fillColor: "#ffeb3b", fillOpacity: 1, className: "problem-point" })
        .bindTooltip(h("span", {}, p.problem)).addTo(layer);
    }
    const bad = L.featureGroup(shapes.getLayers().filter((l) => l.feature.properties.problems.length));
    const bounds = (bad.getLayers().length ? bad : shapes).getBounds();
    if (bounds.isValid()) map.map.fitBounds(bounds, { padding: [12, 12], maxZoom: 15 });
  }

  document.getElementById("g-preview").addEventListener("click", GG.guarded(async () => {
    if (!form.file.files.length) throw new Error("请选择网格文件");
    const data = new FormData();
    data.append("file", form.file.files[0]);
    const preview = await GG.api("POST", "/api/v1/admin/grids/preview", data);
    draw(preview);
    importBtn.disabled = !preview.ok;
    summary.textContent = preview.ok
      ? "预检通过: " + Object.entries(preview.counts).map(([lv, n]) => "第 " + lv + " 级 " + n + " 个").join("、")
      : "预检未通过: " + preview.problems.length + " 个问题 (地图上标红), 文件不能导入";
    summary.className = preview.ok ? "" : "error";
    document.getElementById("g-problems").replaceChildren(...preview.problems.map((p) => h("li", { dataset: { index: p.index } },
      (p.index === null ? "文件" : "第 " + p.index + " 个要素") + (p.code ? " [" + p.code + "]" : "") + ": " + p.problem)));
  }));
  form.file.addEventListener("change", () => { importBtn.disabled = true; });

  form.addEventListener("submit", GG.guarded(async () => {
    if (!form.name.value.trim()) { form.name.focus(); throw new Error("请填写版本名"); }
    const data = new FormData();
    data.append("file", form.file.files[0]);
    data.append("name", form.name.value.trim());
    data.append("activate", form.activate.checked ? "true" : "false");
    const made = await GG.api("POST", "/api/v1/admin/grids", data);
    summary.className = "";
    summary.textContent = "已导入版本 " + made.id + " " + made.name + (made.active ? " · 已启用" : "");
    importBtn.disabled = true;
    await versions();
  }));

  async function versions() {
    const rows = await GG.api("GET", "/api/v1/admin/grids/versions");
    document.querySelector("#g-versions tbody").replaceChildren(...rows.map((v) => h("tr", { dataset: { version: v.id } },
      h("td", {}, v.id), h("td", {}, v.name), h("td", {}, GG.fmtTime(v.created_at)), h("td", {}, v.active ? "启用中" : "—"),
      h("td", {}, v.active ? "" : h("button", { type: "button", class: "link", onclick: GG.guarded(async () => {
        if (!confirm("启用网格版本 " + v.name + "? 此后新案件按该版本定位。")) return;
        await GG.api("POST", "/api/v1/admin/grids/" + v.id + "/activate");
        GG.toast("已启用 " + v.name); await versions();
      }) }, "启用")))));
    for (const id of ["cmp-old", "cmp-new"]) {
      const sel = document.getElementById(id);
      const keep = sel.value;
      sel.replaceChildren(...rows.map((v) => h("option", { value: v.id }, v.id + " " + v.name)));
      if (keep) sel.value = keep; else if (id === "cmp-new" && rows.length) sel.value = rows[rows.length - 1].id;
    }
  }
  versions().catch((e) => GG.toast(e.message, true));

  const compare = document.getElementById("compare-form");
  const cmpBox = document.getElementById("compare-map");
  let cmpMap = null, cmpLayer = null;
  // the two versions one over the other: the old shapes dashed grey / red, the new ones blue / green
  const CHANGE_STYLE = {
    added: { color: "#2e7d32", weight: 2, fillColor: "#66bb6a", fillOpacity: 0.35 },
    removed: { color: "#c62828", weight: 2, dashArray: "6 4", fillColor: "#ef9a9a", fillOpacity: 0.25 },
    before: { color: "#424242", weight: 2, dashArray: "8 6", fill: false },
    after: { color: "#1565c0", weight: 4, fillColor: "#90caf9", fillOpacity: 0.2 },
  };
  const CHANGE_LABEL = { added: "新增", removed: "删除", before: "改边界前", after: "改边界后" };
  function drawCompare(features) {
    cmpBox.hidden = !features.length;
    if (!features.length) return;
    if (!cmpMap) cmpMap = GG.map.make(cmpBox, { fit: true });
    if (cmpLayer) cmpLayer.remove();
    const order = { after: 0, added: 1, removed: 2, before: 3 };  // the old outlines on top, so both show
    features = [...features].sort((a, b) => order[a.properties.change] - order[b.properties.change]);
    cmpLayer = L.geoJSON(features, {
      style: (f) => ({ ...CHANGE_STYLE[f.properties.change], className: "cmp-" + f.properties.change }),
      onEachFeature: (f, l) => l.bindTooltip(h("span", {}, CHANGE_LABEL[f.properties.change] + ": " + f.properties.code + " " + (f.properties.name || "")), { sticky: true }),
    }).addTo(cmpMap.map);
    const bounds = cmpLayer.getBounds();
    if (bounds.isValid()) cmpMap.map.fitBounds(bounds, { padding: [12, 12], maxZoom: 16 });
  }
  compare.addEventListener("submit", GG.guarded(async () => {
    const d = await GG.api("GET", "/api/v1/admin/grids/compare?shapes=true&old=" + compare.old.value + "&new=" + compare.new.value);
    drawCompare(d.features || []);
    const list = (title, items, fmt) => items.length ? [h("h4", {}, title + " (" + items.length + ")"), h("ul", { class: "list" }, items.map((i) => h("li", {}, fmt(i))))] : [];
    document.getElementById("compare-answer").replaceChildren(
      h("p", { id: "compare-counts" }, "新增 " + d.counts.added + " · 删除 " + d.counts.removed + " · 改名 " + d.counts.renamed + " · 改边界 " + d.counts.redrawn),
      ...list("新增", d.added, (g) => g.code + " " + g.name), ...list("删除", d.removed, (g) => g.code + " " + g.name),
      ...list("改名", d.renamed, (g) => g.code + " " + g.from + " → " + g.to), ...list("改边界", d.redrawn, (g) => g.code + " " + g.name));
  }));
});

/* Responsibility rules (set, list, delete: each on the admin record) and the read-only settings. */
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const form = document.getElementById("rule-form");
  const enc = encodeURIComponent;
  async function list() {
    const q = new URLSearchParams();
    if (form.category.value) q.set("category", form.category.value);
    if (form.grid.value) q.set("grid", form.grid.value);
    const rows = await GG.api("GET", "/api/v1/admin/rules?" + q);
    const labels = Object.fromEntries([...form.target.options].map((o) => [o.value, o.textContent]));
    document.getElementById("rules").replaceChildren(...rows.slice(0, 200).map((r) => h("li", { dataset: { rule: r.id } },
      (r.category_code || "(任意类别)") + " · " + r.grid_prefix + " → " + (labels[r.target] || r.target) + (r.unit_name ? " " + r.unit_name : ""),
      r.note ? h("small", { class: "muted" }, " " + r.note) : "",
      h("button", { type: "button", class: "link", onclick: GG.guarded(async () => {
        const grid = r.grid_prefix.padEnd(15, "0");
        await GG.api("DELETE", "/api/v1/admin/rules?category=" + enc(r.category_code) + "&grid=" + grid);
        GG.toast("已删除规则"); await list();
      }) }, " 删除"))));
  }
  document.getElementById("r-list").addEventListener("click", GG.guarded(list));
  form.addEventListener("submit", GG.guarded(async () => {
    if (!form.grid.value) throw new Error("请选择网格");
    await GG.api("PUT", "/api/v1/admin/rules", { category: form.category.value, grid: form.grid.value, target: form.target.value,
      unit_code: form.unit_code.value || null, note: form.note.value.trim() });
    GG.toast("已保存规则"); await list();
  }));
  GG.api("GET", "/api/v1/admin/settings").then((rows) => {
    document.querySelector("#settings tbody").replaceChildren(...rows.map((r) => h("tr", {}, h("th", { class: "code" }, r.name), h("td", {}, r.value))));
  }).catch((e) => GG.toast(e.message, true));
});

/* Units: create; rename, move, merge or retire one (each on the admin record). */
document.addEventListener("DOMContentLoaded", () => {
  const made = document.getElementById("unit-create");
  const change = document.getElementById("unit-change");
  const out = document.getElementById("unit-result");
  made.addEventListener("submit", GG.guarded(async () => {
    if (!made.code.value.trim() || !made.name.value.trim()) throw new Error("请填写单位编码和名称");
    await GG.api("POST", "/api/v1/admin/units", { code: made.code.value.trim(), name: made.name.value.trim(), kind: made.kind.value,
      parent_code: made.parent_code.value || null, grid_code: made.grid_code.value || null });
    out.textContent = "已新建单位 " + made.code.value.trim(); made.reset();
  }));
  change.addEventListener("submit", GG.guarded(async () => {
    if (!change.code.value) throw new Error("请选择单位");
    const op = change.op.value;
    const body = op === "deactivate" ? { deactivate: true } : op === "name" ? { name: change.name.value.trim() } : { [op]: change.target.value };
    if (op !== "deactivate" && !Object.values(body)[0]) throw new Error(op === "name" ? "请填写新名称" : "请选择目标单位");
    if (op === "deactivate" || op === "into_code") { if (!confirm("确定" + change.op.selectedOptions[0].textContent + "?")) return; }
    const done = await GG.api("POST", "/api/v1/admin/units/" + encodeURIComponent(change.code.value), body);
    out.textContent = "已完成: " + change.op.selectedOptions[0].textContent + (done.moved ? " · 转移用户 " + done.moved.users + " 个、规则 " + done.moved.rules + " 条、下级 " + done.moved.children + " 个" : "");
  }));
});

/* Categories: name, urgency and deadlines (each change on the admin record). */
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("category-form");
  form.addEventListener("submit", GG.guarded(async () => {
    if (!form.code.value) throw new Error("请选择类别");
    const body = {};
    if (form.name.value.trim()) body.name = form.name.value.trim();
    if (form.urgency.value) body.urgency = form.urgency.value;
    if (form.handle_limit.value) body.handle = { limit: Number(form.handle_limit.value), unit: form.handle_unit.value };
    if (form.response_limit.value) body.response = { limit: Number(form.response_limit.value), unit: form.response_unit.value };
    if (!Object.keys(body).length) throw new Error("没有要修改的内容");
    const done = await GG.api("PATCH", "/api/v1/admin/categories/" + encodeURIComponent(form.code.value), body);
    document.getElementById("category-result").textContent = "已保存 · 改动: " + Object.keys(done.payload.changed).join("、");
  }));
});

/* Dispatcher queue: filters, yellow/red deadline colours, bulk register/dispatch, the "needs a person" queue, merge. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const form = document.getElementById("filters");
  const tbody = document.querySelector("#queue tbody");
  const panel = document.getElementById("queue-panel");
  const state = { page: 1, review: "", selected: new Map() };

  function query() {
    const p = new URLSearchParams({ page: state.page, page_size: 50 });
    if (form.status.value) p.set("status", form.status.value);
    const grid = form.street.value || form.district.value;
    if (grid) p.set("grid", grid);
    if (form.unit.value.trim()) p.set("unit", form.unit.value.trim());
    if (form.category.value.trim()) p.set("category", form.category.value.trim());
    if (form.overdue.checked) p.set("overdue", "true");
    if (state.review) p.set("needs_review", "true");
    return "/api/v1/cases?" + p;
  }

  async function load() {
    let data;
    try { data = await GG.api("GET", query()); }
    catch (e) { tbody.replaceChildren(); document.getElementById("queue-total").textContent = e.message; throw e; }
    document.getElementById("queue-total").textContent = "共 " + data.total + " 件";
    document.getElementById("page-no").textContent = state.page + " / " + Math.max(1, Math.ceil(data.total / data.page_size));
    document.getElementById("prev").disabled = state.page <= 1;
    document.getElementById("next").disabled = state.page * data.page_size >= data.total;
    tbody.replaceChildren(...data.items.map((c) => {
      const box = h("input", { type: "checkbox", "aria-label": "选择 " + c.tracking_code, checked: state.selected.has(c.id) });
      box.addEventListener("change", () => { if (box.checked) state.selected.set(c.id, c); else state.selected.delete(c.id); count(); });
      const alarm = c.overdue ? "red" : ["red", "yellow"].includes(c.alarm_level) ? c.alarm_level : "";
      return h("tr", { class: alarm, dataset: { caseId: c.id, status: c.status } },
        h("td", {}, box),
        h("td", {}, h("button", { type: "button", class: "link", onclick: () => open(c.id).catch((e) => GG.toast(e.message, true)) }, c.tracking_code)),
        h("td", {}, c.title), h("td", {}, GG.statusTag(c)), h("td", {}, c.category_code || "—"),
        h("td", {}, c.grid_code || "—"), h("td", {}, c.owner_unit_code || "—"),
        h("td", {}, GG.fmtTime(c.handle_due_at), " ", GG.alarmTag(c)));
    }));
  }

  function count() { document.getElementById("selected-count").textContent = "已选 " + state.selected.size + " 件"; }

  async function open(id) {
    await GG.casePanel.render(panel, id, { onChange: load });
  }

  /* Run one action per selected case; report how many succeeded and why the others did not. */
  async function bulk(label, fn) {
    const ids = [...state.selected.keys()];
    if (!ids.length) throw new Error("请先勾选案件");
    let ok = 0; const failed = [];
    for (const id of ids) {
      try { await fn(id); ok += 1; state.selected.delete(id); }
      catch (e) { failed.push(state.selected.get(id).tracking_code + ": " + e.message); }
    }
    GG.toast(label + ": 成功 " + ok + " 件" + (failed.length ? ", 失败 " + failed.length + " 件" : ""), failed.length > 0);
    failed.forEach((f) => GG.toast(f, true));
    count(); await load();
  }

  document.getElementById("bulk-register").addEventListener("click", GG.guarded(() => bulk("立案", (id) => GG.act(id, "register"))));
  document.getElementById("bulk-dispatch").addEventListener("click", GG.guarded(() => bulk("派遣", async (id) => {
    let c = await GG.api("GET", "/api/v1/cases/" + id);
    const category = c.category_code || c.suggested_category_code;
    if (!category) throw new Error("类别未定, 请打开案件选择类别后派遣"); // checked before anything changes
    if (c.status === "reported") c = await GG.act(id, "register", c.category_code ? {} : { category_code: category });
    const params = c.category_code ? {} : { category_code: category };
    if (c.suggested_unit) params.unit_code = c.suggested_unit.code;
    await GG.act(id, "dispatch", params); // without a proposal the 权属 matrix decides on the server
  })));
  document.getElementById("bulk-dispatch-to").addEventListener("click", GG.guarded(() => {
    const unit = document.getElementById("bulk-unit").value.trim();
    if (!unit) throw new Error("请填写派遣单位编码");
    return bulk("派遣", async (id) => {
      const c = await GG.api("GET", "/api/v1/cases/" + id);
      const category = c.category_code || c.suggested_category_code;
      if (!category) throw new Error("类别未定, 请打开案件选择类别后派遣");
      if (c.status === "reported") await GG.act(id, "register", c.category_code ? {} : { category_code: category });
      await GG.act(id, "dispatch", { unit_code: unit });
    });
  }));
  document.getElementById("bulk-merge").addEventListener("click", GG.guarded(async () => {
    const ids = [...state.selected.keys()].sort((a, b) => a - b);
    if (ids.length < 2) throw new Error("并案须至少勾选两件");
    const parent = ids[0];
    state.selected.delete(parent);
    await bulk("并案", (id) => GG.act(id, "merge", { into_case_id: parent }));
  }));

  document.getElementById("select-all").addEventListener("change", (ev) => {
    tbody.querySelectorAll("input[type=checkbox]").forEach((b) => { if (b.checked !== ev.target.checked) b.click(); });
  });
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", GG.guarded(async () => {
      document.querySelectorAll("[role=tab]").forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
      state.review = tab.dataset.review; state.page = 1; clearSelection();
      form.status.value = state.review ? "open" : "reported,registered,returned,reopened";
      await load();
    }));
  }
  form.addEventListener("change", GG.guarded(async (ev) => {
    if (ev.target === form.district) await streets();
    state.page = 1; clearSelection(); await load();
  }));
  form.addEventListener("submit", (ev) => ev.preventDefault());
  // a selection never reaches rows out of sight: it is cleared when the page or the filters change
  function clearSelection() { state.selected.clear(); document.getElementById("select-all").checked = false; count(); }
  document.getElementById("prev").addEventListener("click", GG.guarded(async () => { state.page -= 1; clearSelection(); await load(); }));
  document.getElementById("next").addEventListener("click", GG.guarded(async () => { state.page += 1; clearSelection(); await load(); }));

  async function streets() {
    const sel = form.street;
    sel.replaceChildren(h("option", { value: "" }, "全部"));
    if (!form.district.value) return;
    const rows = await GG.api("GET", "/api/v1/grids/" + form.district.value + "/children?page_size=1000");
    rows.items.forEach((g) => sel.append(h("option", { value: g.code }, g.name)));
  }
  GG.api("GET", "/api/v1/grids/" + GG.config.city.grid_code + "/children?page_size=1000").then((rows) => {
    rows.items.forEach((g) => form.district.append(h("option", { value: g.code }, g.name)));
  }).catch(() => null);
  GG.api("GET", "/api/v1/units?kind=city_department,district_bureau,street_office&limit=1000").then((rows) => {
    const list = document.getElementById("unit-list");
    rows.forEach((u) => list.append(h("option", { value: u.code }, u.name)));
  }).catch(() => null);
  load().catch((e) => GG.toast(e.message, true));
});

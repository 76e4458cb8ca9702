/* Dispatcher queue: the list is drawn on the server (/queue/rows, swapped by htmx on filter, tab and page);
   this controller keeps the tick boxes, sends the bulk actions (POST /api/v1/cases/bulk) and fills the pickers. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const form = document.getElementById("filters");
  const ticked = () => [...document.querySelectorAll("#queue-list input[name=case_id]:checked")];
  const count = () => { document.getElementById("selected-count").textContent = "已选 " + ticked().length + " 件"; };
  document.addEventListener("change", (ev) => {
    if (ev.target.id === "select-all") document.querySelectorAll("#queue-list input[name=case_id]").forEach((b) => { b.checked = ev.target.checked; });
    if (ev.target.closest("#queue-list")) count();
  });
  document.addEventListener("htmx:afterSwap", count); // a new page or filter starts with nothing ticked

  /* One request for all ticked cases; each is done on its own, and those refused stay ticked. */
  async function bulk(label, body) {
    const boxes = ticked();
    if (!boxes.length) throw new Error("请先勾选案件");
    const codes = new Map(boxes.map((b) => [Number(b.value), b.closest("tr").dataset.trackingCode]));
    const ids = body.into_case_id ? [...codes.keys()].filter((id) => id !== body.into_case_id) : [...codes.keys()];
    const results = await GG.api("POST", "/api/v1/cases/bulk", Object.assign({ case_ids: ids }, body));
    const failed = results.filter((r) => !r.ok);
    GG.toast(label + ": 成功 " + (results.length - failed.length) + " 件" + (failed.length ? ", 失败 " + failed.length + " 件" : ""), failed.length > 0);
    failed.forEach((r) => GG.toast(codes.get(r.case_id) + ": " + r.message, true));
    const list = document.getElementById("queue-list");
    const url = list.getAttribute("hx-get") + failed.map((r) => "&selected=" + r.case_id).join("");
    await htmx.ajax("GET", url, { target: "#queue-list", swap: "outerHTML" });
  }
  document.getElementById("bulk-register").addEventListener("click", GG.guarded(() => bulk("立案", { action: "register" })));
  document.getElementById("bulk-dispatch").addEventListener("click", GG.guarded(() => bulk("派遣", { action: "register_dispatch" })));
  document.getElementById("bulk-dispatch-to").addEventListener("click", GG.guarded(() => {
    const unit = document.querySelector("#bulk input[name=bulk_unit]").value.trim();
    if (!unit) throw new Error("请先选择派遣单位");
    return bulk("派遣", { action: "register_dispatch", unit_code: unit });
  }));
  document.getElementById("bulk-merge").addEventListener("click", GG.guarded(() => {
    const ids = ticked().map((b) => Number(b.value)).sort((a, b) => a - b);
    if (ids.length < 2) throw new Error("并案须至少勾选两件");
    return bulk("并案", { action: "merge", into_case_id: ids[0] });
  }));

  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => {
      document.querySelectorAll("[role=tab]").forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
      form.needs_review.value = tab.dataset.review;
      form.status.value = tab.dataset.status;
      htmx.trigger(form, "change");
    });
  }

  // districts, then the chosen district's streets (units and categories are type-ahead pickers: picker.js)
  const grids = (code) => GG.api("GET", "/api/v1/grids/" + code + "/children?page_size=1000").then((rows) => rows.items.map((g) => h("option", { value: g.code }, g.name)));
  form.district.addEventListener("change", () => {
    form.street.replaceChildren(h("option", { value: "" }, "全部")); // before the list asks: no street of another district
    if (form.district.value) grids(form.district.value).then((opts) => form.street.append(...opts)).catch((e) => GG.toast(e.message, true));
  });
  grids(GG.config.city.grid_code).then((opts) => form.district.append(...opts)).catch(() => null);
});

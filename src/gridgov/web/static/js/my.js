/* Resident: follow my cases and rate a closed one (解决/满意). */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("my-cases");
  const panel = document.getElementById("my-panel");
  async function open(id) {
    panel.hidden = false;
    await GG.casePanel.render(panel, id, { onChange: load });
    panel.scrollIntoView({ block: "nearest" });
  }
  let shown = 1;
  const more = GG.h("button", { type: "button", id: "my-more", hidden: true, onclick: GG.guarded(() => { shown += 1; return load(); }) }, "加载更多");
  list.after(more);
  async function load() {
    const page = await GG.api("GET", "/api/v1/cases?page_size=" + 50 * shown);
    document.getElementById("my-empty").hidden = page.items.length > 0;
    more.hidden = page.items.length >= page.total;
    more.textContent = "加载更多 (共 " + page.total + " 件)";
    list.replaceChildren(...page.items.map((c) => GG.h("li", { dataset: { caseId: c.id, status: c.status } },
      GG.h("button", { type: "button", class: "link", onclick: () => open(c.id).catch((e) => GG.toast(e.message, true)) }, c.tracking_code), " ",
      GG.statusTag(c), " ", c.status === "closed" ? GG.h("span", { class: "tag yellow" }, "待评价") : null,
      GG.h("div", {}, c.title), GG.h("div", { class: "time" }, "反映于 " + GG.fmtTime(c.created_at)))));
  }
  load().catch((e) => GG.toast(e.message, true));
});

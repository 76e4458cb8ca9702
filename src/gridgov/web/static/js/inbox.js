/* Department / street / community inbox: accept, return with reason, request postponement, feed back with photos;
   the whistle: summon departments, see who has reported, rate them. The server decides what each user may do. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const list = document.getElementById("inbox");
  const panel = document.getElementById("inbox-panel");
  const status = document.getElementById("inbox-status");
  async function open(id) {
    await GG.casePanel.render(panel, id, { onChange: load });
    panel.scrollIntoView({ block: "nearest" });
  }
  async function load() {
    const page = await GG.api("GET", "/api/v1/cases?page_size=200&status=" + status.value);
    document.getElementById("inbox-empty").hidden = page.items.length > 0;
    list.replaceChildren(...page.items.map((c) => h("li", { dataset: { caseId: c.id, status: c.status } },
      h("button", { type: "button", class: "link", onclick: () => open(c.id).catch((e) => GG.toast(e.message, true)) }, c.tracking_code), " ", GG.statusTag(c), " ", GG.alarmTag(c),
      h("div", {}, c.title), h("div", { class: "time" }, "处置时限 " + GG.fmtTime(c.handle_due_at)))));
  }
  status.addEventListener("change", () => load().catch((e) => GG.toast(e.message, true)));
  load().catch((e) => GG.toast(e.message, true));
});

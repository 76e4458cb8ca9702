/* 三个一批 project page: the forms the server offered. A stage action uploads its evidence first (documents, or
   on-site photos with their point and time), then sends the action with the evidence's ids; the server checks
   the photo, the distance, the phase list and the dates, and the page reloads with the new state. */
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("project-data").textContent);
  const base = "/api/v1/projects/" + data.id;

  function busy(form, on) {
    form.querySelectorAll("button").forEach((b) => { b.disabled = on; });
  }

  async function done(message) {
    GG.toast(message);
    setTimeout(() => location.reload(), 300);
  }

  document.querySelectorAll("form.pj-stage").forEach((form) => {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const action = form.dataset.action;
      const kind = form.dataset.kind;
      const fd = new FormData(form);
      busy(form, true);
      try {
        const upload = new FormData();
        upload.append("file", fd.get("file"));
        upload.append("stage", action);
        upload.append("kind", kind);
        if (kind === "photo") {
          upload.append("lat", fd.get("lat"));
          upload.append("lon", fd.get("lon"));
          upload.append("taken_at", fd.get("taken_at") + ":00+08:00");
        }
        const evidence = await GG.api("POST", base + "/evidence", upload);
        const body = { action, on: fd.get("on"), evidence: [evidence.id], note: fd.get("note") || "" };
        if (fd.get("phase")) body.phase = Number(fd.get("phase"));
        await GG.api("POST", base + "/actions", body);
        await done(form.querySelector("h3").textContent + "已记录");
      } catch (e) {
        GG.toast(e.message, true);
        busy(form, false);
      }
    });
  });

  const blocker = document.querySelector("form.pj-blocker");
  if (blocker) {
    blocker.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const fd = new FormData(blocker);
      busy(blocker, true);
      try {
        const r = await GG.api("POST", base + "/blockers", { kind: fd.get("kind"), description: fd.get("description") }, { idempotencyKey: GG.newKey() });
        await done("已立案并派遣: " + r.tracking_code);
      } catch (e) {
        GG.toast(e.message, true);
        busy(blocker, false);
      }
    });
  }

  const investment = document.querySelector("form.pj-investment");
  if (investment) {
    investment.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const fd = new FormData(investment);
      const [year, month] = String(fd.get("month")).split("-").map(Number);
      busy(investment, true);
      try {
        await GG.api("POST", base + "/investments", { year, month, amount: Number(fd.get("amount")) });
        await done("已填报");
      } catch (e) {
        GG.toast(e.message, true);
        busy(investment, false);
      }
    });
  }
})();

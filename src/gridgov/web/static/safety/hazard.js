/* A hazard's page: the actions the server offered (the same guards as the API), each sent as one JSON request;
   the page is drawn again from the server afterwards. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const dataUrl = (blob) => new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(new Error("照片读取失败"));
    r.readAsDataURL(blob);
  });
  document.querySelectorAll(".sf-act").forEach((form) => {
    form.addEventListener("submit", GG.guarded(async () => {
      const action = form.dataset.action;
      const body = { action, version: Number(form.dataset.version), note: form.note.value.trim() };
      if (action === "submit_plan") {
        for (const k of ["responsible", "measures", "time_limit", "contingency"]) {
          body[k] = form[k].value.trim();
          if (!body[k]) { form[k].focus(); throw new Error("治理方案须落实责任、措施、资金、时限和预案"); }
        }
        body.funds = Number(form.funds.value);
        if (!Number.isInteger(body.funds) || body.funds <= 0) { form.funds.focus(); throw new Error("资金落实: 整改资金须大于 0 元"); }
      }
      if (action === "report_rectified") {
        const files = await GG.preparePhotos(form.photos);
        if (!files.length) throw new Error("请附整改后的现场照片");
        body.photos = await Promise.all(files.map(dataUrl));
      }
      if (action === "refer") body.kind = form.kind.value;
      if (action === "fail_review" && !body.note) { form.note.focus(); throw new Error("请填写验收不通过的原因"); }
      await GG.api("POST", "/api/v1/safety/hazards/" + form.dataset.hazard + "/actions", body);
      location.reload();
    }));
  });
});

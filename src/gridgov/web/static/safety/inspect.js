/* The grid worker's inspection on the phone: a checklist per task; each failed item takes a grade and photos (shrunk
   on the phone, sent as base64 in one JSON request). Offline, or when the network drops, the inspection waits in
   the phone's outbox (localStorage) with the key made when it was recorded, and is sent when the phone is back
   online: the server stores it once, however often it arrives. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const OUTBOX = "gg-safety-outbox";
  const net = document.getElementById("sf-net");
  const box = document.getElementById("sf-outbox");

  const pending = () => { try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; } };
  const save = (items) => localStorage.setItem(OUTBOX, JSON.stringify(items));
  function show() {
    const n = pending().length;
    box.hidden = n === 0;
    box.textContent = n ? "离线待上传: " + n + " 条检查记录 (联网后自动上传)" : "";
    net.textContent = navigator.onLine ? "在线" : "离线: 检查记录先保存在手机上";
  }

  const dataUrl = (blob) => new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(new Error("照片读取失败"));
    r.readAsDataURL(blob);
  });
  async function photos(input) {
    const files = await GG.preparePhotos(input);
    return Promise.all(files.map(dataUrl));
  }

  async function send(body) {
    return GG.api("POST", "/api/v1/safety/inspections", body);
  }

  let flushing = false;
  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    try {
      for (const body of pending()) {
        try {
          const done = await send(body);
          save(pending().filter((b) => b.client_key !== body.client_key));
          const li = document.querySelector('.sf-task[data-task="' + body.task_id + '"]');
          if (li) li.querySelector(".sf-result").textContent = "离线记录已上传: 发现隐患 " + done.failed + " 项";
        } catch (e) {
          if (e instanceof TypeError) break; // still no network
          save(pending().filter((b) => b.client_key !== body.client_key)); // refused: say why, keep no zombie
          GG.toast("离线记录未能上传: " + e.message, true);
        }
      }
    } finally { flushing = false; show(); }
  }

  document.querySelectorAll(".sf-item").forEach((fs) => {
    const fail = fs.querySelector(".sf-fail");
    fs.addEventListener("change", (ev) => {
      if (ev.target.type === "radio") fail.hidden = ev.target.value !== "fail";
      if (ev.target.name === "fixed") fs.querySelector(".sf-fixed").hidden = !ev.target.checked;
    });
  });

  document.querySelectorAll(".sf-form").forEach((form) => {
    form.addEventListener("submit", GG.guarded(async () => {
      const results = {};
      for (const fs of form.querySelectorAll(".sf-item")) {
        const code = fs.dataset.item;
        const result = fs.querySelector("input[type=radio]:checked").value;
        const r = { result };
        if (result === "fail") {
          r.grade = fs.querySelector("select[name=grade]").value;
          r.photos = await photos(fs.querySelector("input[name=photos]"));
          if (!r.photos.length) throw new Error(code + " 不合格, 请拍摄现场照片");
          r.fixed_on_spot = fs.querySelector("input[name=fixed]").checked;
          if (r.fixed_on_spot) {
            if (r.grade === "major") throw new Error(code + ": 重大隐患不能立即整改, 须制定治理方案");
            r.fixed_photos = await photos(fs.querySelector("input[name=fixed_photos]"));
            if (!r.fixed_photos.length) throw new Error(code + " 立即整改, 请拍摄整改后照片");
          }
          r.note = fs.querySelector("input[name=note]").value.trim();
        }
        results[code] = r;
      }
      const body = {
        place_id: Number(form.dataset.place), task_id: Number(form.dataset.task), client_key: "sf-" + GG.newKey(),
        inspected_at: new Date().toISOString(), results,
      };
      const out = form.querySelector(".sf-result");
      if (!navigator.onLine) {
        save([...pending(), body]); show();
        out.textContent = "已离线保存, 联网后自动上传";
        return;
      }
      try {
        const done = await send(body);
        out.textContent = "已提交: 发现隐患 " + done.failed + " 项" + (done.hazards.length ? " (" + done.hazards.map((x) => x.code).join("、") + ")" : "");
        form.querySelector("button[type=submit]").disabled = true;
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
        save([...pending(), body]); show();
        out.textContent = "网络中断, 已离线保存, 联网后自动上传";
      }
    }));
  });

  window.addEventListener("online", () => { show(); flush(); });
  window.addEventListener("offline", show);
  show();
  flush();
});

"use strict";
// 关注 / 取消关注: buttons with data-follow-case="<id>" (and data-mode) or data-unfollow="<follow id>"
document.addEventListener("DOMContentLoaded", () => {
  for (const btn of document.querySelectorAll("[data-follow-case]")) {
    btn.addEventListener("click", GG.guarded(async () => {
      await GG.api("POST", "/api/v1/follows", { case_id: Number(btn.dataset.followCase), mode: btn.dataset.mode || "now" });
      location.reload();
    }));
  }
  for (const btn of document.querySelectorAll("[data-unfollow]")) {
    btn.addEventListener("click", GG.guarded(async () => {
      await GG.api("DELETE", `/api/v1/follows/${btn.dataset.unfollow}`);
      location.reload();
    }));
  }
});

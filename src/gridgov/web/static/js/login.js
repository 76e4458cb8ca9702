"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login-form");
  form.addEventListener("submit", GG.guarded(async () => {
    await GG.api("POST", "/api/v1/auth/login", { username: form.username.value.trim(), password: form.password.value }, { noRedirect: true });
    location.href = form.dataset.next || "/home";
  }));
});

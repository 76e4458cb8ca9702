"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login-form");
  form.addEventListener("submit", GG.guarded(async () => {
    await GG.api("POST", "/api/v1/auth/login", { username: form.username.value.trim(), password: form.password.value }, { noRedirect: true });
    location.href = form.dataset.next || "/home";
  }));
  const phone = document.getElementById("phone-form");
  if (!phone) return;
  document.getElementById("phone-code").addEventListener("click", GG.guarded(async () => {
    const sent = await GG.api("POST", "/api/v1/auth/phone/code", { phone: phone.phone.value.trim() }, { noRedirect: true });
    document.getElementById("phone-sent").textContent = `验证码已发送至 ${sent.phone}，${Math.round(sent.expires_in / 60)} 分钟内有效`;
    phone.code.focus();
  }));
  phone.addEventListener("submit", GG.guarded(async () => {
    await GG.api("POST", "/api/v1/auth/phone/login", { phone: phone.phone.value.trim(), code: phone.code.value.trim() }, { noRedirect: true });
    location.href = phone.dataset.next || "/my";
  }));
});

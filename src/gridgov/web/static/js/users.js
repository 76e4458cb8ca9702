/* Admin screen (/admin): users (create, change, password, unlock, deactivate, tokens, record) and the responsibility
   tester, through /api/v1/admin. The server checks every change and writes it on the admin record. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const meta = JSON.parse(document.getElementById("gg-admin").textContent);
  const panel = document.getElementById("user-panel");
  const form = document.getElementById("user-form");
  const secret = document.getElementById("u-secret");
  let current = null;
  const grids = (text) => text.split(/[\s,，]+/).map((s) => s.trim()).filter(Boolean);
  const enc = encodeURIComponent;

  function setPicker(root, code, name) {
    const picker = root.querySelector("[data-picker]");
    picker.querySelector("input[type=hidden]").value = code || "";
    picker.querySelector("input[role=combobox]").value = name || "";
    picker.querySelector(".picked").textContent = code || "";
  }

  async function open(username) {
    const users = await GG.api("GET", "/api/v1/admin/users?q=" + enc(username));
    current = users.find((u) => u.username === username);
    if (!current) throw new Error("用户不存在: " + username);
    panel.hidden = false;
    secret.hidden = true;
    document.getElementById("user-title").textContent = current.username + " · " + current.role_label + (current.active ? "" : " · 已停用");
    form.display_name.value = current.display_name;
    form.role.value = current.role;
    setPicker(form, current.unit && current.unit.code, current.unit && current.unit.name);
    form.grids.value = current.grids.join("\n");
    document.getElementById("u-deactivate").disabled = !current.active;
    const tokens = await GG.api("GET", "/api/v1/admin/users/" + enc(username) + "/tokens");
    document.getElementById("u-tokens").replaceChildren(...tokens.map((t) => h("li", { dataset: { token: t.id } },
      (t.kind === "session" ? "会话 " : "令牌 ") + t.prefix + "… · " + (t.name || "") + " · " + GG.fmtTime(t.created_at),
      t.revoked_at ? " · 已吊销" : h("button", { type: "button", class: "link", onclick: GG.guarded(async () => {
        await GG.api("POST", "/api/v1/admin/users/" + enc(username) + "/tokens/" + t.id + "/revoke");
        GG.toast("已吊销"); await open(username);
      }) }, " 吊销"))));
    const record = await GG.api("GET", "/api/v1/admin/users/" + enc(username) + "/record");
    document.getElementById("u-record").replaceChildren(...record.map((e) => h("li", {},
      GG.fmtTime(e.occurred_at) + " · " + (meta.actions[e.action] || e.action), h("small", { class: "code" }, " " + e.hash.slice(0, 12)))));
    document.getElementById("user-title").focus();
  }
  document.getElementById("users").addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-open]");
    if (btn) open(btn.dataset.open).catch((e) => GG.toast(e.message, true));
  });

  form.addEventListener("submit", GG.guarded(async () => {
    const body = { display_name: form.display_name.value.trim(), role: form.role.value, unit_code: form.unit_code.value, grids: grids(form.grids.value) };
    await GG.api("PATCH", "/api/v1/admin/users/" + enc(current.username), body);
    GG.toast("已保存"); location.reload();
  }));
  document.getElementById("u-password").addEventListener("click", GG.guarded(async () => {
    const made = await GG.api("POST", "/api/v1/admin/users/" + enc(current.username) + "/password", {});
    secret.hidden = false;
    secret.textContent = "新密码 (只显示这一次, 请当面交给本人): " + made.password;
  }));
  document.getElementById("u-unlock").addEventListener("click", GG.guarded(async () => {
    const done = await GG.api("POST", "/api/v1/admin/users/" + enc(current.username) + "/unlock");
    GG.toast("已解除登录限制 (" + done.addresses_cleared + " 个地址)"); await open(current.username);
  }));
  document.getElementById("u-deactivate").addEventListener("click", GG.guarded(async () => {
    if (!confirm("停用 " + current.username + "? 其全部会话与令牌将被吊销。")) return;
    const done = await GG.api("POST", "/api/v1/admin/users/" + enc(current.username) + "/deactivate");
    GG.toast("已停用 · 吊销 " + done.tokens_revoked + " 个令牌/会话"); location.reload();
  }));

  const create = document.getElementById("create-form");
  create.addEventListener("submit", GG.guarded(async () => {
    if (!create.username.value.trim()) { create.username.focus(); throw new Error("请填写用户名"); }
    const body = { username: create.username.value.trim(), display_name: create.display_name.value.trim(), role: create.role.value,
      unit_code: create.unit_code.value || null, grids: grids(create.grids.value) };
    if (create.password.value) body.password = create.password.value;
    const made = await GG.api("POST", "/api/v1/admin/users", body);
    const out = document.getElementById("create-result");
    out.replaceChildren("已创建 ", h("b", {}, made.username), made.password ? " · 初始密码 (只显示这一次): " + made.password : "");
    create.reset(); setPicker(create, "", "");
  }));

  const tester = document.getElementById("tester-form");
  tester.addEventListener("submit", GG.guarded(async () => {
    if (!tester.category.value || !tester.grid.value) throw new Error("请选择类别和网格");
    const a = await GG.api("GET", "/api/v1/admin/responsible?category=" + enc(tester.category.value) + "&grid=" + enc(tester.grid.value));
    document.getElementById("tester-answer").replaceChildren(
      h("p", { class: a.unit ? "" : "error", id: "tester-unit" }, a.message, a.unit ? h("small", { class: "code" }, " " + a.unit.code) : ""),
      h("ol", {}, a.rules.map((r) => h("li", {}, r.category + " · " + r.grid_prefix + " → " + r.target_label + (r.unit ? " " + r.unit : "")))));
  }));
});

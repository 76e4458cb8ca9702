/* Hotline operator: caller, free text, live address → grid and map, suggested category and unit with confidence,
   duplicate hints; then register, dispatch, or close a consultation directly. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const form = document.getElementById("call-form");
  const state = { grid: null, key: GG.newKey(), made: null };
  const m = GG.map.make(document.getElementById("map"), {
    pick: true,
    onPick: async (p) => {
      const found = await GG.map.locate(p);
      document.getElementById("where").textContent = found && found.inside ? "网格: " + found.name + " (" + found.code + ")" : "该位置不在本市网格范围内";
      state.grid = found && found.inside ? found.code : state.grid;
      m.showPicked(found).catch(() => null);
      suggestUnit(); duplicates(p).catch((e) => GG.toast(e.message, true));
    },
  });
  m.showBoundaries(GG.config.city.grid_code).catch((e) => GG.toast(e.message, true));

  const matchAddress = GG.debounce(async () => {
    const text = form.address.value.trim();
    const out = document.getElementById("address-match");
    if (!text) { out.textContent = ""; m.goToAddress(""); return; }
    try {
      const a = await m.goToAddress(text); // moves the map to the division named
      if (!a.code) { out.textContent = "未匹配到网格"; return; }
      out.textContent = "匹配: " + a.name + " (" + a.code + ") · 置信度 " + Math.round(a.confidence * 100) + "%";
      if (!m.point) state.grid = a.code;
      suggestUnit();
    } catch (e) { out.textContent = e.message; }
  }, 300);
  form.address.addEventListener("input", matchAddress);

  const classify = GG.debounce(async () => {
    const title = form.title.value.trim(), description = form.description.value.trim();
    const box = document.getElementById("suggest");
    if (!title && !description) return;
    let p;
    try { p = await GG.api("POST", "/api/v1/classify", { title: title || description.slice(0, 200), description }); }
    catch (e) { box.replaceChildren(h("p", { class: "error" }, "分类建议暂不可用: " + e.message)); return; }
    box.replaceChildren(
      h("p", { class: "muted" }, (p.source === "model" ? "智能分类建议" : "关键词规则建议") + (p.top.length ? ": " + (p.top[0].name || p.top[0].code) + " · 置信度 " + Math.round(p.top[0].confidence * 100) + "%" : "") + (p.needs_review ? " · 置信度低, 请人工确认" : "")),
      ...p.top.map((t) => h("button", { type: "button", class: "pick", dataset: { code: t.code }, onclick: () => { GG.setPick(form.category_code, t.code, t.name || t.code); state.categoryByHand = true; suggestUnit(); } },
        (t.name || t.code) + " " + Math.round(t.confidence * 100) + "%")));
    // the proposal fills the category until the operator types or picks one; a doubtful one clears it
    if (!state.categoryByHand) {
      const best = p.top.find((t) => t.code === p.label);
      GG.setPick(form.category_code, p.needs_review ? "" : p.label, p.needs_review ? "" : (best && best.name) || p.label);
      state.categoryByHand = false; // setPick's change event is the proposal's, not the operator's
      suggestUnit();
    }
  }, 400);
  form.title.addEventListener("input", classify);
  form.description.addEventListener("input", classify);
  form.category_code.addEventListener("change", () => { state.categoryByHand = Boolean(form.category_code.value.trim()); suggestUnit(); });

  async function suggestUnit() {
    const out = document.getElementById("unit-suggest");
    const cat = form.category_code.value.trim();
    state.unit = null;
    if (!cat || !state.grid) { out.textContent = ""; return; }
    try {
      const u = await GG.api("GET", "/api/v1/units/responsible?category=" + encodeURIComponent(cat) + "&grid=" + state.grid);
      state.unit = u;
      out.textContent = "权属单位: " + u.name + " (" + u.code + ")";
    } catch (e) { out.textContent = e.message; }
  }

  async function duplicates(p) {
    const box = document.getElementById("dups");
    const near = await GG.api("GET", "/api/v1/cases/near?lat=" + p.lat + "&lon=" + p.lon + "&crs=" + p.crs + "&radius_m=300&days=7");
    box.replaceChildren(...(near.length ? [h("p", { class: "hint" }, "附近 7 天内已有 " + near.length + " 件: ",
      near.slice(0, 5).map((c) => h("a", { href: "/cases/" + c.id, target: "_blank", class: "dup" }, (c.tracking_code || "#" + c.id) + " " + (c.title || "") + "  ")))] : []));
  }

  // 12345 operations (issue 17): the operator picks a knowledge-base article; its answer fills the reply and a
  // direct close cites it
  document.getElementById("kb-box").addEventListener("click", (ev) => {
    const b = ev.target.closest(".kb-pick");
    if (!b) return;
    form.article_id.value = b.dataset.id;
    if (!form.note.value.trim()) form.note.value = b.dataset.answer;
    document.getElementById("kb-picked").textContent = "已选用知识库 " + b.dataset.code + "《" + b.dataset.title + "》第 " + b.dataset.version + " 版, 直接办结时引用";
  });

  document.getElementById("search-caller").addEventListener("click", () => {
    const phone = form.reporter_phone.value.trim();
    if (!phone) { GG.toast("请先填写来电号码", true); return; }
    document.getElementById("search-q").value = phone;
    htmx.trigger(document.getElementById("search-form"), "submit");
  });
  form.addEventListener("reset", () => { // a new caller: nothing of the last call carries over
    setTimeout(() => GG.setPick(form.category_code, "", ""), 0); // after the browser's own reset
    state.key = GG.newKey(); state.grid = null; state.unit = null; state.made = null; state.categoryByHand = false; m.clearPoint();
    document.getElementById("where").textContent = "点击地图标出位置 (可选)"; document.getElementById("dups").replaceChildren();
    document.getElementById("unit-suggest").textContent = ""; document.getElementById("address-match").textContent = "";
    document.getElementById("call-result").textContent = "";
    document.getElementById("kb-picked").textContent = ""; form.article_id.value = "";
    document.getElementById("suggest").replaceChildren(h("p", { class: "muted" }, "输入诉求后显示建议类别"));
    document.getElementById("caller-box").replaceChildren(h("p", { class: "muted" }, "输入来电号码后显示该来电人的近期案件"));
  });
  form.addEventListener("submit", GG.guarded(async (ev) => {
    const mode = ev.submitter ? ev.submitter.dataset.mode : "register";
    document.getElementById("call-result").textContent = ""; // never show the last call's success beside this one
    const title = form.title.value.trim();
    if (!title) { form.title.focus(); throw new Error("请填写诉求概要"); }
    const note = form.note.value.trim();
    if (mode === "close" && !note) { form.note.focus(); throw new Error("直接办结须填写答复内容"); }
    if (!state.made) GG.map.confirmPlace(m);
    const body = { title, description: form.description.value.trim(), source: "hotline", address: form.address.value.trim(),
      reporter_name: form.reporter_name.value.trim(), reporter_phone: form.reporter_phone.value.trim() };
    if (form.category_code.value.trim()) body.category_code = form.category_code.value.trim();
    if (form.urgency.value) body.urgency = form.urgency.value;
    if (m.point) Object.assign(body, { lat: m.point.lat, lon: m.point.lon, crs: m.point.crs });
    else if (state.grid) body.grid_code = state.grid;
    else if (!body.address && mode === "close") body.address = GG.config.city.name; // a consultation has no place
    // once the case exists, a retry (after fixing the grid or the unit) only repeats the steps that follow
    const made = state.made || await GG.api("POST", "/api/v1/cases", body, { idempotencyKey: state.key });
    state.made = made; state.key = GG.newKey();
    let c = await GG.api("GET", "/api/v1/cases/" + made.id);
    if (mode === "close" && form.article_id.value) { // answered from the knowledge base: closed citing it
      await GG.api("POST", "/api/v1/knowledge/articles/" + form.article_id.value + "/close-case", { case_id: made.id, note });
      c = await GG.api("GET", "/api/v1/cases/" + made.id);
    } else if (mode === "close") c = await GG.act(made.id, "direct_close", { note });
    else {
      if (c.allowed_actions.includes("register")) { // still to be registered
        const params = note ? { note } : {};
        if (!c.grid_code && state.grid) params.grid_code = state.grid;
        if (!c.category_code && body.category_code) params.category_code = body.category_code;
        c = await GG.act(made.id, "register", params);
      }
      if (mode === "dispatch") {
        const unit = (state.unit && state.unit.code) || (c.suggested_unit && c.suggested_unit.code);
        if (!unit) throw new Error(c.status_label + " " + made.tracking_code + ", 但没有权属单位: 请在派遣队列中派遣");
        c = await GG.act(made.id, "dispatch", { unit_code: unit });
      }
    }
    document.getElementById("call-result").replaceChildren("已受理 ", h("a", { href: "/cases/" + c.id, id: "result-link" }, c.tracking_code), " · " + c.status_label);
    GG.toast("已受理 " + c.tracking_code + " · " + c.status_label);
    const receipt = document.getElementById("call-result").cloneNode(true);
    form.reset(); // the reset handler clears the call; the receipt of this one stays
    document.getElementById("call-result").replaceWith(receipt);
  }));
});

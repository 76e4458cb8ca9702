/* The case panel: facts, tasks (who was summoned, who reported) and a form for every action this user may take now.
   Used by the case page, the inbox, the dispatcher queue and the grid worker's screen. */
"use strict";
GG.casePanel = (() => {
  const { h } = GG;
  const SATISFACTION = [["satisfied", "满意"], ["basically_satisfied", "基本满意"], ["unsatisfied", "不满意"]];
  const TASK_STATUS = { pending: "待签收/待报到", accepted: "已签收/已报到", fed_back: "已反馈", returned: "已退回", cancelled: "已撤销" };
  const TASK_ROLE = { primary: "主办", assist: "协办", whistle: "吹哨报到" };
  const LABELS = {
    register: "立案", reject: "不予立案", direct_close: "直接办结 (咨询类)", dispatch: "派遣", accept: "签收", return: "退回",
    handle: "处置反馈", verify: "核查通过, 结案", rework: "核查不通过, 返工", evaluate: "评价", request_postpone: "申请延期",
    approve_postpone: "批准延期", deny_postpone: "驳回延期", suspend: "挂起", resume: "恢复", merge: "并案",
    whistle: "吹哨 (召集部门)", check_in: "部门报到", task_feedback: "部门反馈", cancel_task: "撤销召集", rate_department: "评价报到部门",
  };
  const UNITS = { working_days: "工作日", hours: "小时", minutes: "分钟" };
  let seq = 0;

  function field(label, input) {
    const id = "f" + (++seq);
    input.id = id;
    return [h("label", { for: id }, label), input];
  }
  const text = (name, required, max = 4000) => h("textarea", { name, required, maxlength: max, rows: 2 });
  const line = (name, attrs = {}) => h("input", Object.assign({ name }, attrs));
  function select(name, options, attrs = {}) {
    return h("select", Object.assign({ name }, attrs), options.map(([v, l]) => h("option", { value: v }, l)));
  }

  async function unitOptions(kinds, under) {
    const q = "/api/v1/units?limit=500&kind=" + kinds + (under ? "&under=" + encodeURIComponent(under) : "");
    return (await GG.api("GET", q)).map((u) => [u.code, u.name]);
  }

  async function departmentOptions(c) {
    const district = c.grid_code ? c.grid_code.slice(0, 6) : null;
    const bureaus = district ? await unitOptions("district_bureau", district) : [];
    return bureaus.concat(await unitOptions("city_department"));
  }

  /* Fields each action needs; the server validates them again. */
  async function fieldsFor(action, c) {
    switch (action) {
      case "reject": case "return": case "suspend": case "deny_postpone":
        return [field("理由", text("reason", true))];
      case "rework":
        return [field("理由", text("reason", true)), field("核查照片", line("photos", { type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true }))];
      case "direct_close": return [field("答复内容 (办结说明)", text("note", true))];
      case "register": {
        const f = [field("备注", text("note", false))];
        if (!c.category_code) f.unshift(...field("类别编码 (可选)", line("category_code", { value: c.suggested_category_code || "", maxlength: 20 })));
        if (!c.grid_code) f.unshift(...field("网格编码 (15 位, 必填: 未能定位)", line("grid_code", { required: true, pattern: "[0-9]{15}", maxlength: 15, inputmode: "numeric" })));
        return f;
      }
      case "dispatch": {
        const units = c.suggested_unit ? [[c.suggested_unit.code, c.suggested_unit.name + " (权属建议)"]] : [];
        const input = line("unit_code", { value: c.suggested_unit ? c.suggested_unit.code : "", required: true, maxlength: 40, list: "units-" + c.id });
        const list = h("datalist", { id: "units-" + c.id }, units.map(([v, l]) => h("option", { value: v }, l)));
        const f = [field("承办单位编码", input), list, field("派遣说明", text("note", false))];
        if (!c.category_code) f.unshift(...field("类别编码 (必填: 立案时未定)", line("category_code", { value: c.suggested_category_code || "", required: true, maxlength: 20 })));
        return f;
      }
      case "handle": case "task_feedback":
        return [field(action === "handle" ? "处置说明" : "反馈说明", text("note", true)), field("现场照片", line("photos", { type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true }))];
      case "verify":
        return [field("核查说明", text("note", false)), field("核查照片", line("photos", { type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true }))];
      case "evaluate":
        return [
          h("fieldset", {}, h("legend", {}, "问题是否解决"),
            h("label", { class: "inline" }, h("input", { type: "radio", name: "resolved", value: "true", required: true }), "已解决"),
            h("label", { class: "inline" }, h("input", { type: "radio", name: "resolved", value: "false" }), "未解决")),
          field("满意程度", select("satisfaction", SATISFACTION)),
          field("意见 (可选)", text("comment", false, 1000)),
        ];
      case "request_postpone":
        return [field("延长", line("amount", { type: "number", min: 1, max: 100000, value: 2, required: true })),
          field("单位", select("unit", [["working_days", "工作日"], ["hours", "小时"], ["minutes", "分钟"]])), field("延期理由", text("reason", true))];
      case "approve_postpone": return [field("说明", text("note", false))];
      case "merge": return [field("并入主案编号", line("into_case_id", { type: "number", min: 1, required: true }))];
      case "whistle": {
        const opts = await departmentOptions(c);
        return [field("召集部门 (可多选)", select("department_codes", opts, { multiple: true, required: true, size: Math.min(8, opts.length) })), field("吹哨事由", text("note", false))];
      }
      case "check_in": return [field("报到说明", text("note", false))];
      case "rate_department": case "cancel_task": {
        // rate those that have fed back (a new rating replaces the last, on the record); release those on the way
        const summoned = c.tasks.filter((t) => t.role === "whistle" && (action === "rate_department" ? t.status === "fed_back" : t.status === "pending" || t.status === "accepted")).map((t) => [t.unit.code, t.unit.name + (t.rating ? " (已评 " + t.rating + " 分)" : "")]);
        const f = [field("部门", select("unit_code", summoned, { required: true }))];
        if (action === "rate_department") f.push(...field("评分 (1–5)", select("rating", [["5", "5 很好"], ["4", "4 好"], ["3", "3 一般"], ["2", "2 差"], ["1", "1 很差"]])), ...field("评语", text("note", false, 1000)));
        else f.push(...field("撤销理由", text("reason", true)));
        return f;
      }
      default: return [];
    }
  }

  async function paramsOf(form, c) {
    const p = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "file" || el.type === "submit") continue;
      if (el.type === "radio") { if (el.checked) p[el.name] = el.value === "true"; continue; }
      if (el.multiple) { p[el.name] = [...el.selectedOptions].map((o) => o.value); continue; }
      if (el.value === "") continue;
      p[el.name] = ["amount", "into_case_id", "rating"].includes(el.name) ? Number(el.value) : el.value;
    }
    const photos = form.querySelector("input[type=file]");
    if (photos && photos.files.length) p.evidence = await GG.uploadPhotos(c.id, photos);
    return p;
  }

  function facts(c) {
    const owner = c.owner_unit ? c.owner_unit.name : "—";
    return h("dl", { class: "facts" },
      h("dt", {}, "编号"), h("dd", {}, h("a", { href: "/cases/" + c.id }, c.tracking_code)),
      h("dt", {}, "状态"), h("dd", {}, GG.statusTag(c), " ", GG.alarmTag(c)),
      h("dt", {}, "类别"), h("dd", {}, c.category_name || (c.suggested_category_code ? "建议 " + c.suggested_category_code : "未定")),
      h("dt", {}, "网格"), h("dd", {}, (c.grid_name || "未定") + " " + (c.grid_code || "")),
      h("dt", {}, "地址"), h("dd", {}, c.address || "—"),
      h("dt", {}, "反映人"), h("dd", {}, [c.reporter_name, c.reporter_phone].filter(Boolean).join(" ") || "—"),
      h("dt", {}, "承办单位"), h("dd", {}, owner),
      h("dt", {}, "处置时限"), h("dd", {}, GG.fmtTime(c.handle_due_at), c.postponed ? " (已延期)" : ""),
      c.postpone_request ? [h("dt", {}, "延期申请"), h("dd", { class: "hint", id: "postpone-request" },
        "申请延长 " + c.postpone_request.amount + " " + (UNITS[c.postpone_request.unit] || c.postpone_request.unit) + " · " + (c.postpone_request.reason || ""))] : null,
    );
  }

  function tasks(c) {
    if (!c.tasks.length) return null;
    return h("div", { class: "scroll-x", tabindex: "0", role: "region", "aria-label": "参与单位" }, h("table", { class: "tasks" },
      h("thead", {}, h("tr", {}, ["单位", "角色", "状态", "报到/签收时限", "报到/签收", "评分"].map((t) => h("th", {}, t)))),
      h("tbody", {}, c.tasks.map((t) => h("tr", { dataset: { unit: t.unit.code } },
        h("td", {}, t.unit.name), h("td", {}, TASK_ROLE[t.role] || t.role), h("td", {}, TASK_STATUS[t.status] || t.status),
        h("td", {}, GG.fmtTime(t.response_due_at)),
        h("td", {}, t.responded_at ? GG.fmtTime(t.responded_at) + (t.response_late ? " (迟到)" : "") : "未报到"),
        h("td", {}, t.rating ? t.rating + " 分" : "—"))))));
  }

  async function render(box, caseId, opts = {}) {
    const c = await GG.api("GET", "/api/v1/cases/" + caseId);
    box.replaceChildren();
    box.dataset.caseId = c.id;
    const heading = h(opts.heading === false ? "h3" : "h2", { tabindex: "-1", class: "panel-title" }, opts.heading === false ? "办理" : c.title);
    box.append(heading);
    if (opts.facts !== false) box.append(h("p", {}, c.description), facts(c));
    if (c.needs_review && c.suggestions) box.append(h("p", { class: "hint" }, "分类需人工确认: " + c.suggestions.map((s) => s.code + " " + Math.round(s.confidence * 100) + "%").join("、")));
    if (c.duplicate_candidates && c.duplicate_candidates.length) box.append(h("p", { class: "hint" }, "可能重复: ", c.duplicate_candidates.map((d) => h("a", { href: "/cases/" + d.case_id, class: "dup", dataset: { caseId: d.case_id } }, d.tracking_code + " (相似度 " + Math.round(d.score * 100) + "%) "))));
    const t = tasks(c); if (t) box.append(h("h3", {}, "参与单位"), t);
    // the server lists what this person can do now (role, state, and their unit's tasks); nothing is guessed here
    const wanted = opts.only ? c.allowed_actions.filter((a) => opts.only.includes(a)) : c.allowed_actions;
    if (c.status === "handled" && c.tasks.some((t) => t.role !== "primary" && (t.status === "pending" || t.status === "accepted"))) {
      box.append(h("p", { class: "hint" }, "尚有召集或协办单位未反馈, 全部反馈后才能核查结案。"));
    }
    if (!wanted.length) { box.append(h("p", { class: "muted" }, "当前没有可执行的操作。")); return c; }
    if (opts.heading !== false) box.append(h("h3", {}, "办理"));
    for (const action of wanted) {
      const form = h("form", { class: "action", dataset: { action }, "aria-label": LABELS[action] || action }, await fieldsFor(action, c),
        h("div", { class: "actions" }, h("button", { type: "submit", class: action === "reject" || action === "rework" || action === "return" ? "secondary" : "primary" }, LABELS[action] || action)),
        h("p", { class: "error", role: "alert" }));
      form.addEventListener("submit", GG.guarded(async () => {
        const updated = await GG.act(c.id, action, await paramsOf(form, c), c.version);
        GG.toast((LABELS[action] || action) + " 成功 · " + updated.status_label);
        if (opts.onChange) await opts.onChange(updated);
        await render(box, caseId, opts);
        const title = box.querySelector(".panel-title");
        if (title) title.focus();
      }));
      box.append(form);
    }
    return c;
  }

  return { render, LABELS };
})();

/* Suggestion campaigns (意见征集) for staff: pick or create a campaign, its links and counts, the suggestion list
   with filters, one suggestion in the side panel (field, decisions, public reply, turn into a case), letters and
   mail import. Leaders read only: the server refuses their changes, and the forms are not shown to them. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { h } = GG;
  const L = JSON.parse(document.getElementById("campaign-labels").textContent);
  const canWrite = L.can_write; // decided on the server from the campaign rules, as are all labels below
  const canCreate = L.can_create;
  const PAGE_SIZE = 20;
  const STATE_LABELS = L.windows;
  const EVENT_LABELS = L.event_actions;
  const pick = document.getElementById("c-pick");
  const info = document.getElementById("c-info");
  const filters = document.getElementById("s-filters");
  const tbody = document.querySelector("#suggestions tbody");
  const panel = document.getElementById("s-panel");
  const state = { campaigns: [], campaign: null, page: 1, open: null };

  document.querySelectorAll(".writer").forEach((el) => { el.hidden = !canWrite; });
  document.querySelectorAll(".creator").forEach((el) => { el.hidden = !canCreate; });

  const slugPath = () => "/api/v1/campaigns/" + encodeURIComponent(state.campaign.slug);
  const statusTag = (s) => h("span", { class: "tag" + (L.adopted.includes(s.status) ? " green" : "") }, s.status_label || L.statuses[s.status] || s.status);
  const lateTag = (s) => (s.late ? h("span", { class: "tag yellow", title: "截止后收到" }, "逾期") : null);
  const percent = (rate) => (rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%");

  function remember() {
    const p = new URLSearchParams();
    if (state.campaign) p.set("c", state.campaign.slug);
    if (state.open) p.set("s", state.open);
    history.replaceState(null, "", location.pathname + (p.toString() ? "?" + p : ""));
  }

  // -- campaigns ---------------------------------------------------------------------------------------
  async function loadCampaigns(wanted) {
    state.campaigns = await GG.api("GET", "/api/v1/campaigns");
    pick.replaceChildren(...(state.campaigns.length
      ? state.campaigns.map((c) => h("option", { value: c.slug }, c.title + " · " + (STATE_LABELS[c.state] || c.state) + " · " + c.suggestions + " 条"))
      : [h("option", { value: "" }, "— 暂无征集活动 —")]));
    const chosen = state.campaigns.find((c) => c.slug === wanted) || state.campaigns[0] || null;
    if (chosen) pick.value = chosen.slug;
    await choose(chosen);
  }

  async function choose(c) {
    state.campaign = c; state.page = 1;
    const options = c ? [...c.fields, L.unclassified] : [];
    filters.field.replaceChildren(h("option", { value: "" }, "全部"), ...options.map((f) => h("option", { value: f }, f)));
    const letterField = document.getElementById("l-field");
    letterField.replaceChildren(h("option", { value: "" }, "— 自动 —"), ...(c ? c.fields : []).map((f) => h("option", { value: f }, f)));
    document.querySelectorAll("#intake button[type=submit]").forEach((b) => { b.disabled = !c; });
    remember();
    if (!c) {
      info.replaceChildren(h("p", { class: "muted" }, canCreate ? "还没有征集活动, 请在下方新建。" : "还没有征集活动。"));
      tbody.replaceChildren(); document.getElementById("s-total").textContent = "";
      return;
    }
    await Promise.all([summary(), load()]);
  }

  async function summary() {
    const c = state.campaign;
    const r = await GG.api("GET", slugPath() + "/report");
    const slug = encodeURIComponent(c.slug);
    const links = h("div", { class: "actions camp-links" },
      c.public ? h("a", { href: "/campaigns/" + slug, target: "_blank", rel: "noopener" }, "公开征集页") : h("span", { class: "muted" }, "未公开"),
      c.public ? h("a", { href: "/campaigns/" + slug + "/qr.png", download: c.slug + "-qr.png" }, "二维码 PNG") : null,
      h("a", { href: "/campaigns/" + slug + "/report", target: "_blank", rel: "noopener" }, "打印报表"),
      h("a", { href: slugPath() + "/report.xlsx", download: c.slug + "-report.xlsx" }, "导出 Excel"));
    const kpi = (label, value, id) => h("div", { class: "kpi", id }, h("b", {}, String(value)), h("span", {}, label));
    const kpis = h("div", { class: "kpis camp-kpis" },
      kpi("建议总数", r.total, "k-total"),
      ...r.by_status.map((s) => kpi(s.label, s.count, "k-" + s.status)),
      kpi("逾期收到", r.late, "k-late"), kpi("已答复", r.replied, "k-replied"),
      kpi("采纳率 (含采纳后转案件)", percent(r.adoption_rate), "k-rate"));
    const facts = h("dl", { class: "facts" },
      h("dt", {}, "主办"), h("dd", {}, c.organiser),
      h("dt", {}, "征集时间"), h("dd", {}, c.window, " ", h("span", { class: "tag" + (c.state === "open" ? " green" : "") }, STATE_LABELS[c.state] || c.state),
        c.late_policy === "keep" ? h("span", { class: "muted" }, " 截止后收下并标记逾期") : null),
      h("dt", {}, "渠道"), h("dd", {}, c.channels.map((ch) => ch.label).join("、")),
      c.mail_address ? [h("dt", {}, "征集邮箱"), h("dd", {}, c.mail_address)] : null,
      c.postal_address ? [h("dt", {}, "来信地址"), h("dd", {}, c.postal_address, c.postcode ? " (邮编 " + c.postcode + ")" : "",
        c.letter_marking ? " 信封注明“" + c.letter_marking + "”" : "")] : null);
    const qr = c.public ? h("img", { class: "camp-qr", src: "/campaigns/" + slug + "/qr.svg", alt: "扫码打开“" + c.title + "”征集页的二维码", width: "140", height: "140" }) : null;
    info.replaceChildren(h("div", { class: "camp-summary" }, h("div", {}, h("h2", {}, c.title), facts, links), qr), kpis);
  }

  // -- suggestion list ---------------------------------------------------------------------------------
  function query() {
    const p = new URLSearchParams({ page: state.page, page_size: PAGE_SIZE });
    for (const name of ["status", "field", "channel"]) if (filters[name].value) p.set(name, filters[name].value);
    const cluster = filters.cluster_id.value.trim();
    if (cluster) {
      if (!/^\d{1,9}$/.test(cluster)) throw new Error("重复类编号须为数字");
      p.set("cluster_id", cluster);
    }
    return slugPath() + "/suggestions?" + p;
  }

  /* How many suggestions share each cluster shown: the list carries it (cluster_size). */
  async function clusterSizes(items) {
    const ids = [...new Set(items.map((s) => s.cluster_id).filter(Boolean))];
    const sizes = ids.map((id) => (items.find((s) => s.cluster_id === id) || {}).cluster_size || null);
    return new Map(ids.map((id, i) => [id, sizes[i]]));
  }

  function showCluster(id) {
    filters.cluster_id.value = String(id); state.page = 1;
    return load();
  }

  async function load() {
    if (!state.campaign) return;
    const data = await GG.api("GET", query());
    const sizes = await clusterSizes(data.items);
    const pages = Math.max(1, Math.ceil(data.total / data.page_size));
    document.getElementById("s-total").textContent = "共 " + data.total + " 条";
    document.getElementById("page-no").textContent = state.page + " / " + pages;
    document.getElementById("prev").disabled = state.page <= 1;
    document.getElementById("next").disabled = state.page >= pages;
    if (!data.items.length) {
      tbody.replaceChildren(h("tr", {}, h("td", { colspan: "7", class: "muted" }, "没有符合条件的建议")));
      return;
    }
    tbody.replaceChildren(...data.items.map((s) => {
      const size = sizes.get(s.cluster_id);
      const cluster = size && size > 1
        ? h("button", { type: "button", class: "link", title: "查看重复类 " + s.cluster_id, onclick: GG.guarded(() => showCluster(s.cluster_id)) }, size + " 条")
        : h("span", { class: "muted" }, "—");
      return h("tr", { class: (s.late ? "yellow" : "") + (s.id === state.open ? " selected" : ""), dataset: { suggestionId: s.id, status: s.status } },
        h("td", {}, h("button", { type: "button", class: "link", onclick: GG.guarded(() => open(s.id)) }, s.ref)),
        h("td", {}, s.title, " ", lateTag(s)),
        h("td", { class: "wide-only" }, s.field || L.unclassified),
        h("td", { class: "wide-only" }, s.channel_label),
        h("td", {}, statusTag(s)),
        h("td", {}, cluster),
        h("td", { class: "wide-only" }, GG.fmtTime(s.received_at)));
    }));
  }

  async function refresh() { await Promise.all([summary(), load()]); }

  // -- one suggestion ----------------------------------------------------------------------------------
  function field(label, input) {
    const id = "p-" + input.getAttribute("name");
    input.id = id;
    return [h("label", { for: id }, label), input];
  }

  function miniForm(id, title, children, onSubmit) {
    const form = h("form", { id, "aria-label": title }, h("h3", {}, title), children, h("p", { class: "error", role: "alert" }));
    form.addEventListener("submit", GG.guarded((ev) => onSubmit(ev)));
    return form;
  }

  async function open(id) {
    state.open = id; remember();
    const s = await GG.api("GET", "/api/v1/campaigns/suggestions/" + id);
    tbody.querySelectorAll("tr").forEach((tr) => tr.classList.toggle("selected", Number(tr.dataset.suggestionId) === id));
    const members = s.cluster_id
      ? await GG.api("GET", slugPath() + "/suggestions?page_size=50&cluster_id=" + s.cluster_id).catch(() => null)
      : null;
    const after = async (fresh, message) => { GG.toast(message); await refresh(); await open(id); return fresh; };
    const sourceLabel = L.field_sources;
    const who = [s.submitter_name, s.submitter_phone, s.submitter_email].filter(Boolean).join(" · ") || "未留";

    const parts = [
      h("h2", { class: "panel-title", tabindex: "-1" }, s.ref, " ", statusTag(s), " ", lateTag(s)),
      h("h3", {}, s.title),
      h("p", { class: "pre", id: "p-content-text" }, s.content),
      h("dl", { class: "facts" },
        h("dt", {}, "渠道"), h("dd", {}, s.channel_label),
        h("dt", {}, "领域"), h("dd", {}, s.field || L.unclassified, " ", h("span", { class: "muted" }, "(" + (sourceLabel[s.field_source] || s.field_source) + ")")),
        h("dt", {}, "收到时间"), h("dd", {}, GG.fmtTime(s.received_at)),
        h("dt", {}, "提交人"), h("dd", {}, who),
        s.submitter_address || s.postcode ? [h("dt", {}, "地址"), h("dd", {}, [s.submitter_address, s.postcode && "邮编 " + s.postcode].filter(Boolean).join(" "))] : null,
        s.letter_marking || s.marking_ok !== null ? [h("dt", {}, "信封字样"), h("dd", {}, s.letter_marking || "未注明", " ",
          s.marking_ok === true ? h("span", { class: "ok" }, "与要求一致") : s.marking_ok === false ? h("span", { class: "bad" }, "与要求不符") : null)] : null,
        s.case ? [h("dt", {}, "关联案件"), h("dd", { id: "p-case" }, h("a", { href: "/cases/" + s.case.id }, s.case.tracking_code), " ", h("span", { class: "muted" }, s.case.status_label))] : null),
    ];
    if (s.attachments.length) {
      parts.push(h("h3", {}, "附件 (" + s.attachments.length + ")"),
        h("ul", { class: "list", id: "p-files" }, s.attachments.map((f) => h("li", {},
          h("a", { href: f.url, download: f.filename }, f.filename), " ",
          h("span", { class: "muted" }, (f.kind === "scan" ? "信件扫描件" : "附件") + " · " + Math.max(1, Math.round(f.size / 1024)) + " KB")))));
    }
    if (members && members.total > 1) {
      parts.push(h("h3", {}, "重复类 " + s.cluster_id + " (共 " + members.total + " 条)"),
        h("ul", { class: "list", id: "p-cluster" }, members.items.map((m) => h("li", {},
          m.id === s.id ? h("b", {}, m.ref) : h("button", { type: "button", class: "link", onclick: GG.guarded(() => open(m.id)) }, m.ref),
          " ", m.title, " ", statusTag(m)))),
        h("button", { type: "button", class: "link", onclick: GG.guarded(() => showCluster(s.cluster_id)) }, "在列表中只看这一类"));
    }
    parts.push(h("h3", {}, "公开答复"), s.reply
      ? h("div", { id: "p-reply-text" }, h("p", { class: "pre" }, s.reply), h("p", { class: "time" }, "发布于 " + GG.fmtTime(s.replied_at)))
      : h("p", { class: "muted", id: "p-reply-text" }, "尚未答复"));

    if (canWrite) {
      const allowed = L.allowed[s.status] || [];
      if (allowed.length) {
        const reply = h("textarea", { name: "decision_reply", maxlength: "5000" });
        const note = h("input", { name: "decision_note", maxlength: "1000" });
        const decide = async (action) => {
          const body = { action, note: note.value.trim() };
          if (reply.value.trim()) body.reply = reply.value.trim();
          await GG.api("POST", "/api/v1/campaigns/suggestions/" + id + "/actions", body);
          await after(null, L.actions[action] + ": 已完成");
        };
        const form = miniForm("p-decide", "审核与决定", [
          field("随决定公开的答复 (可选)", reply), field("内部备注 (可选)", note),
          h("div", { class: "actions" }, allowed.map((a) => h("button", { type: "submit", value: a, class: a === "adopt" ? "primary" : null }, L.actions[a])))],
        (ev) => decide(ev.submitter ? ev.submitter.value : allowed[0]));
        parts.push(form);
      }
      const replyText = h("textarea", { name: "reply", maxlength: "5000", required: true });
      parts.push(miniForm("p-reply-form", "发布公开答复", [field("公开答复内容", replyText),
        h("div", { class: "actions" }, h("button", { type: "submit" }, s.reply ? "更新答复" : "发布答复"))], async () => {
        if (!replyText.value.trim()) throw new Error("答复内容不能为空");
        await GG.api("POST", "/api/v1/campaigns/suggestions/" + id + "/reply", { reply: replyText.value.trim() });
        await after(null, "答复已发布");
      }));
      const fieldSelect = h("select", { name: "field" }, state.campaign.fields.map((f) => h("option", { value: f, selected: f === s.field }, f)));
      parts.push(miniForm("p-field-form", "改定领域", [field("领域", fieldSelect),
        h("div", { class: "actions" }, h("button", { type: "submit" }, "改定领域"))], async () => {
        await GG.api("POST", "/api/v1/campaigns/suggestions/" + id + "/field", { field: fieldSelect.value });
        await after(null, "领域已改为 " + fieldSelect.value);
      }));
      if (!s.case && L.convertible.includes(s.status)) {
        const grid = h("input", { name: "grid_code", maxlength: "15", inputmode: "numeric", placeholder: "15 位网格编码" });
        const address = h("input", { name: "address", maxlength: "300" });
        const category = h("input", { name: "category_code", maxlength: "20" });
        const caseNote = h("input", { name: "case_note", maxlength: "1000" });
        const result = h("p", { id: "p-case-result", "aria-live": "polite" });
        parts.push(miniForm("p-case-form", "转为案件", [
          h("p", { class: "muted" }, "进入案件闭环办理; 不填位置则在市级立案。"),
          field("网格编码 (可选)", grid), field("地址 (可选)", address), field("类别编码 (可选)", category), field("附言 (可选)", caseNote),
          h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "转为案件")), result], async () => {
          const body = { address: address.value.trim(), note: caseNote.value.trim() };
          if (grid.value.trim()) body.grid_code = grid.value.trim();
          if (category.value.trim()) body.category_code = category.value.trim();
          const made = await GG.api("POST", "/api/v1/campaigns/suggestions/" + id + "/case", body);  // the server keys the case on the suggestion: a retry never makes a second
          await after(made, "已转为案件 " + made.case.tracking_code);
        }));
      }
    }
    if (s.events.length) {
      parts.push(h("h3", {}, "处理记录"), h("ol", { class: "timeline" }, s.events.map((e) => h("li", {},
        h("div", {}, h("b", {}, EVENT_LABELS[e.action] || e.action), " · ", L.roles[e.actor_role] || e.actor_role),
        h("div", { class: "time" }, GG.fmtTime(e.occurred_at), " · ", L.statuses[e.from_status] || "—", " → ", L.statuses[e.to_status] || e.to_status),
        e.payload && e.payload.note ? h("div", {}, e.payload.note) : null))));
    }
    panel.replaceChildren(...parts.flat(Infinity).filter((p) => p !== null && p !== undefined && p !== false));
    if (state.openFocus) panel.querySelector(".panel-title").focus();
  }

  // -- new campaign, letters, mail -------------------------------------------------------------------------
  const newForm = document.getElementById("new-campaign");
  newForm.addEventListener("submit", GG.guarded(async () => {
    const f = newForm.elements;
    const body = {
      title: f.title.value.trim(), slug: f.slug.value.trim(), organiser: f.organiser.value.trim(),
      opens_on: f.opens_on.value, closes_on: f.closes_on.value, late_policy: f.late_policy.value,
      description: f.description.value.trim(), postal_address: f.postal_address.value.trim(),
      postcode: f.postcode.value.trim(), letter_marking: f.letter_marking.value.trim(), public: f.public.checked,
      mail_address: f.mail_address.value.trim() || null,
      channels: [...newForm.querySelectorAll("input[name=channels]:checked")].map((b) => b.value),
      fields: f.fields.value.split(/[、,，;；\s]+/).map((x) => x.trim()).filter(Boolean),
    };
    if (!body.title || !body.slug || !body.organiser) throw new Error("请填写活动标题、网址短名和主办单位");
    if (!/^[a-z0-9][a-z0-9-]{1,59}$/.test(body.slug)) throw new Error("网址短名只能用小写字母、数字和连字符, 2–60 位, 如 bmlm-2025");
    if (!body.opens_on || !body.closes_on) throw new Error("请选择开始日期和截止日期");
    if (!body.channels.length) throw new Error("至少开通一个渠道");
    if (!body.fields.length) throw new Error("至少填写一个领域");
    const made = await GG.api("POST", "/api/v1/campaigns", body);
    GG.toast("已新建征集活动: " + made.title);
    newForm.reset();
    document.getElementById("new-campaign-box").open = false;
    await loadCampaigns(made.slug);
  }));

  const letterForm = document.getElementById("letter-form");
  letterForm.addEventListener("submit", GG.guarded(async () => {
    if (!state.campaign) throw new Error("请先选择征集活动");
    const data = new FormData(letterForm);
    if (!String(data.get("content") || "").trim()) throw new Error("请填写来信内容");
    for (const [k, v] of [...data.entries()]) if (v === "" || (v instanceof File && !v.name)) data.delete(k);
    const made = await GG.api("POST", slugPath() + "/letters", data);
    letterForm.reset();
    document.getElementById("letter-result").replaceChildren("已登记来信, 编号 ", h("b", {}, made.ref), made.late ? " (逾期)" : "");
    GG.toast("已登记来信 " + made.ref);
    await refresh();
  }));

  const mailForm = document.getElementById("mail-form");
  mailForm.addEventListener("submit", GG.guarded(async () => {
    if (!state.campaign) throw new Error("请先选择征集活动");
    const file = document.getElementById("m-file").files[0];
    if (!file) throw new Error("请选择 .eml 或 mbox 文件");
    const data = new FormData(); data.append("file", file);
    const skip = document.getElementById("m-skip").checked;
    const out = document.getElementById("mail-result");
    out.replaceChildren();
    const r = await GG.api("POST", slugPath() + "/mail" + (skip ? "?skip_bad=true" : ""), data);
    out.replaceChildren(
      h("p", { class: "ok" }, "导入 " + r.imported.length + " 封" + (r.repeated.length ? ", 已存在 " + r.repeated.length + " 封 (未重复导入)" : "") + (r.failed.length ? ", 跳过 " + r.failed.length + " 封" : "")),
      ...(r.failed.length ? [h("ul", { class: "list" }, r.failed.map((x) => h("li", { class: "bad" }, x.message + ": " + x.error)))] : []));
    mailForm.reset();
    await refresh();
  }));

  // -- wiring ----------------------------------------------------------------------------------------------
  pick.addEventListener("change", GG.guarded(async () => {
    state.open = null;
    panel.replaceChildren(h("p", { class: "muted" }, "点击建议编号查看详情并办理"));
    await choose(state.campaigns.find((c) => c.slug === pick.value) || null);
  }));
  filters.addEventListener("change", GG.guarded(async () => { state.page = 1; await load(); }));
  filters.cluster_id.addEventListener("input", GG.debounce(() => { state.page = 1; load().catch((e) => GG.toast(e.message, true)); }, 400));
  filters.addEventListener("submit", (ev) => ev.preventDefault());
  document.getElementById("prev").addEventListener("click", GG.guarded(async () => { state.page -= 1; await load(); }));
  document.getElementById("next").addEventListener("click", GG.guarded(async () => { state.page += 1; await load(); }));

  const params = new URLSearchParams(location.search);
  loadCampaigns(params.get("c")).then(async () => {
    const wanted = Number(params.get("s"));
    if (state.campaign && wanted > 0) await open(wanted);
    state.openFocus = true;
  }).catch((e) => GG.toast(e.message, true));
});

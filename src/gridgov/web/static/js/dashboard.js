/* 指挥大屏: counts pushed live by server-sent events, overdue list, trend and 三率 charts (ECharts), the monthly
   ranking with its Excel export, and open cases on the grid map. Everything comes from this server. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const h = GG.h;
  const FONT = getComputedStyle(document.body).fontFamily;
  const COLORS = { red: "#b71c1c", yellow: "#b7791f", none: "#1d4ed8" };
  const state = { month: null, charts: {}, map: null, points: null, lastMarker: null };

  const pct = (v) => (v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%");
  const num = (v) => Number(v || 0).toLocaleString("zh-CN");

  function lateText(minutes) {
    if (minutes < 60) return minutes + " 分钟";
    if (minutes < 60 * 24) return Math.floor(minutes / 60) + " 小时";
    return Math.floor(minutes / 1440) + " 天" + (Math.floor((minutes % 1440) / 60) ? Math.floor((minutes % 1440) / 60) + " 小时" : "");
  }

  /* --- counts ------------------------------------------------------------------------------------------ */
  function showSummary(s) {
    for (const key of [...document.querySelectorAll("#kpis [data-kpi]")].map((tile) => tile.dataset.kpi)) {
      const el = $("kpi-" + key);
      const text = num(s[key]);
      if (el.textContent !== text) {
        const first = el.textContent === "—";
        el.textContent = text;
        el.parentElement.dataset.value = String(s[key]);
        if (!first) {  // a change pushed by the stream: highlight the tile for a moment
          el.parentElement.classList.add("flash");
          setTimeout(() => el.parentElement.classList.remove("flash"), 1500);
        }
      }
    }
    if (!state.month) {
      state.month = s.month;
      $("month").value = s.month;
      $("month").max = s.month;
    }
  }

  function liveState(on, when) {
    const box = $("live");
    box.classList.toggle("on", on);
    box.classList.toggle("off", !on);
    $("live-text").textContent = on ? "实时 · 更新于 " + (when || new Date()).toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }) : "连接中断，正在重连…";
  }

  /* --- overdue list ------------------------------------------------------------------------------------ */
  async function loadOverdue() {
    const data = await GG.api("GET", "/api/v1/dashboard/overdue?limit=" + (document.body.classList.contains("wall") ? 12 : 30));
    const body = $("overdue-table").tBodies[0];
    body.replaceChildren();
    if (!data.items.length) {
      body.append(h("tr", {}, h("td", { colspan: 4, class: "muted" }, "暂无超期案件")));
      return;
    }
    for (const c of data.items) {
      body.append(h("tr", { class: c.alarm_level === "red" ? "red" : c.alarm_level === "yellow" ? "yellow" : "" },
        h("td", {}, h("a", { href: "/cases/" + c.id }, c.tracking_code)),
        h("td", { class: "title" }, c.title, " ", h("span", { class: "tag" }, c.status_label)),
        h("td", {}, c.owner_unit_name || "—"),
        h("td", { class: "bad" }, lateText(c.late_minutes))));
    }
  }

  /* --- charts ------------------------------------------------------------------------------------------ */
  function chart(id) {
    if (!state.charts[id]) state.charts[id] = echarts.init($(id), null, { renderer: "canvas" });
    return state.charts[id];
  }

  const baseOption = () => ({
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: "axis" },
    legend: { top: 0, textStyle: { fontFamily: FONT } },
    grid: { left: 40, right: 12, top: 36, bottom: 28, containLabel: true },
    animation: false,
  });

  async function loadTrend() {
    const t = await GG.api("GET", "/api/v1/dashboard/trend?days=30");
    chart("trend-chart").setOption(Object.assign(baseOption(), {
      xAxis: { type: "category", data: t.days.map((d) => d.slice(5)), axisLabel: { fontFamily: FONT } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "上报", type: "line", data: t.reported, itemStyle: { color: "#b71c1c" } },
        { name: "结案", type: "line", data: t.closed, itemStyle: { color: "#1b7f3b" } },
      ],
    }), true);
    const sum = (a) => a.reduce((x, y) => x + y, 0);
    $("trend-text").textContent = "近 30 天共上报 " + sum(t.reported) + " 件，结案 " + sum(t.closed) + " 件。";
  }

  function ratesChart(streets) {
    const rows = streets.slice(0, 12);
    const names = rows.map((r) => r.unit_name.replace(/(街道办事处|办事处|人民政府)$/, ""));
    const series = [["响应率", "response_rate", "#1d4ed8"], ["解决率", "resolution_rate", "#1b7f3b"], ["满意率", "satisfaction_rate", "#b7791f"]]
      .map(([name, key, color]) => ({ name, type: "bar", data: rows.map((r) => (r[key] === null ? null : +(r[key] * 100).toFixed(1))), itemStyle: { color } }));
    const option = Object.assign(baseOption(), {
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 4 ? 30 : 0, fontFamily: FONT } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series,
    });
    if (!rows.length) option.title = { text: "本月暂无考核数据", left: "center", top: "middle", textStyle: { fontFamily: FONT, color: "#52606d", fontSize: 14 } };
    chart("rates-chart").setOption(option, true);
  }

  /* --- ranking ----------------------------------------------------------------------------------------- */
  const RANK_COLS = [
    ["综合", "composite"], ["响应率", "response_rate"], ["解决率", "resolution_rate"], ["满意率", "satisfaction_rate"],
    ["结案率", "close_rate"], ["按期结案率", "on_time_close_rate"], ["返工率", "rework_rate"], ["延期率", "postpone_rate"],
  ];

  function rankingTable(table, rows) {
    table.tHead.replaceChildren(h("tr", {}, h("th", { scope: "col" }, "排名"), h("th", { scope: "col" }, "单位"),
      RANK_COLS.map(([label]) => h("th", { scope: "col", class: "num" }, label)), h("th", { scope: "col", class: "num" }, "派件")));
    const body = table.tBodies[0];
    body.replaceChildren();
    if (!rows.length) {
      body.append(h("tr", {}, h("td", { colspan: RANK_COLS.length + 3, class: "muted" }, "本月暂无考核数据")));
      return;
    }
    for (const r of rows) {
      body.append(h("tr", { dataset: { unit: r.unit_code }, class: r.rank === null ? "unranked" : "" },
        h("td", {}, r.rank === null ? h("span", { class: "rank-tag" }, r.sample || "—") : String(r.rank)),
        h("td", {}, r.unit_name),
        RANK_COLS.map(([, key]) => h("td", { class: "num" }, pct(r[key]))),
        h("td", { class: "num" }, num(r.counts.assigned))));
    }
  }

  /* The wall's top and bottom 10 of one group (the server ranks; units with too few tasks are not ranked). */
  function wallTables(prefix, rows) {
    const top = $(prefix + "-top-table");
    if (!top) return;
    const ranked = rows.filter((r) => r.rank !== null);
    const unranked = rows.length - ranked.length;
    const fill = (table, list, empty) => {
      table.tBodies[0].replaceChildren(...(list.length ? list.map((r) => h("tr", { dataset: { unit: r.unit_code } },
        h("td", {}, String(r.rank)), h("td", {}, r.unit_name), h("td", { class: "num" }, pct(r.composite)),
        h("td", { class: "num" }, num(r.counts.assigned)))) : [h("tr", {}, h("td", { colspan: 4, class: "muted" }, empty))]));
      table.parentElement.querySelector(".rank-note").textContent = unranked ? unranked + " 个单位任务过少, 未排名" : "";
    };
    fill(top, ranked.slice(0, 10), "本月暂无可排名单位");
    fill($(prefix + "-bottom-table"), ranked.length > 10 ? ranked.slice(-10) : [], ranked.length ? "可排名单位不足 10 个, 见前 10 名" : "本月暂无可排名单位");
  }

  async function loadRanking() {
    const month = state.month;
    const data = await GG.api("GET", "/api/v1/dashboard/ranking?month=" + encodeURIComponent(month));
    for (const el of document.querySelectorAll(".month-label")) el.textContent = month;
    rankingTable($("streets-table"), data.streets);
    rankingTable($("depts-table"), data.departments);
    wallTables("st", data.streets);
    wallTables("dp", data.departments);
    ratesChart(data.streets);
    $("export").href = "/api/v1/dashboard/ranking.xlsx?month=" + encodeURIComponent(month);
  }

  /* --- map --------------------------------------------------------------------------------------------- */
  async function loadMap() {
    if (!state.map) {
      state.map = GG.map.make($("map"), { fit: false });
      state.points = GG.map.caseLayer(state.map.map, { done: (n) => { $("map").dataset.clustered = String(n); } });
      state.renderer = L.canvas({ padding: 0.3 });  // thousands of points: one canvas, not an SVG node each
      const user = GG.config.user || {};
      const layer = await state.map.showBoundaries(user.grid_code || GG.config.city.grid_code, true, 10);
      state.map.map.fitBounds(layer.getBounds(), { padding: [8, 8], animate: false });
    }
    const b = state.map.map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
    const gj = await GG.api("GET", "/api/v1/cases.geojson?status=open&limit=2000&bbox=" + bbox);
    state.points.clearLayers();
    delete $("map").dataset.clustered;
    const markers = gj.features.map((f) => {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      return L.circleMarker([lat, lon], { renderer: state.renderer, radius: 5, weight: 1, color: "#fff", fillColor: COLORS[p.alarm_level] || COLORS.none, fillOpacity: 0.9 })
        .bindTooltip(GG.h("span", {}, p.tracking_code + " " + p.title + " · " + p.status_label));  // text, never HTML
    });
    if (state.points.addLayers) state.points.addLayers(markers); // clustered, in chunks
    else { markers.forEach((m) => m.addTo(state.points)); $("map").dataset.clustered = String(markers.length); }
    if (!markers.length) $("map").dataset.clustered = "0";
    const note = $("map-note");
    $("map-count").textContent = "图上 " + gj.features.length + " 件 · 在办 " + num(note.dataset.open) + " 件" + (gj.truncated ? " (仅显示最新部分)" : "");
    $("map").dataset.cases = String(gj.features.length);
  }

  /* --- heat map: cases reported in a period, by category, in the reader's scope ------------------------------ */
  async function loadHeat() {
    const form = $("heat-form"), on = $("heat-on").checked;
    if (!state.map) return;
    if (state.heat) { state.heat.remove(); state.heat = null; }
    if (!on) { state.points.addTo(state.map.map); $("heat-count").textContent = ""; delete $("map").dataset.heat; return; }
    const q = "days=" + form.days.value + (form.category.value ? "&category=" + encodeURIComponent(form.category.value) : "");
    const d = await GG.api("GET", "/api/v1/dashboard/heat?" + q);
    if (!$("heat-on").checked) return;
    state.points.remove();
    state.heat = L.heatLayer(d.points, { radius: 22, blur: 18, maxZoom: 12, max: Math.max(1, d.max) }).addTo(state.map.map);
    $("heat-count").textContent = "共 " + d.cases + " 件 (有坐标)";
    $("map").dataset.heat = String(d.points.length);
  }

  /* --- live updates ------------------------------------------------------------------------------------ */
  const settle = (p) => p.catch((e) => GG.toast(e.message, true));
  const refreshLists = GG.debounce(() => { settle(loadOverdue()); settle(loadTrend()); settle(loadMap()); settle(loadRanking()); }, 800);

  function connect() {
    if (!window.EventSource) return;
    const source = new EventSource("/api/v1/dashboard/stream");
    source.addEventListener("summary", (ev) => {
      const s = JSON.parse(ev.data);
      showSummary(s);
      liveState(true);
      if (state.lastMarker !== null && state.lastMarker !== ev.lastEventId) refreshLists();
      state.lastMarker = ev.lastEventId;
    });
    source.addEventListener("open", () => liveState(true));
    source.addEventListener("error", () => liveState(false));
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const user = GG.config.user;
    $("scope-label").textContent = user && user.unit && !user.city_wide ? "范围：" + user.unit.name : "范围：" + GG.config.city.name + "全市";
    try {
      showSummary(await GG.api("GET", "/api/v1/dashboard/summary"));
    } catch (e) { GG.toast(e.message, true); }
    connect();
    $("month").addEventListener("change", () => {
      if (!/^\d{4}-\d{2}$/.test($("month").value)) return;
      state.month = $("month").value;
      settle(loadRanking());
    });
    GG.api("GET", "/api/v1/categories?taxonomy=hotline12345&parent=").then((rows) => {
      rows.forEach((c) => $("heat-category").append(GG.h("option", { value: c.code }, c.name)));
    }).catch(() => null);
    $("heat-form").addEventListener("change", () => settle(loadHeat()));
    $("heat-form").addEventListener("submit", (ev) => ev.preventDefault());
    await Promise.all([settle(loadOverdue()), settle(loadRanking()), settle(loadTrend()), settle(loadMap())]);
    window.addEventListener("resize", GG.debounce(() => Object.values(state.charts).forEach((c) => c.resize()), 150));
  });
})();

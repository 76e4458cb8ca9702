/* 三个一批 phase dashboard: the four rates by district, plan against completed investment, and the trend over
   phases (vendored ECharts), drawn from the figures the server computed and put in the page. */
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("phase-data").textContent);
  const pick = document.getElementById("phase-select");
  if (pick) pick.addEventListener("change", () => { location.href = "/projects/phases/" + pick.value; });
  if (typeof echarts === "undefined") return;
  const FONT = getComputedStyle(document.body).fontFamily;
  const charts = [];

  function draw(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: FONT }, tooltip: { trigger: "axis" }, legend: { top: 0 } }, option));
    el.dataset.drawn = "yes";
    charts.push(chart);
  }

  const pct = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
  draw("chart-rates", {
    grid: { left: 40, right: 12, top: 48, bottom: 60, containLabel: true },
    xAxis: { type: "category", data: data.districts, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: data.rates.map((r) => ({ name: r.label, type: "bar", data: r.values.map(pct) })),
  });
  draw("chart-investment", {
    grid: { left: 40, right: 12, top: 36, bottom: 60, containLabel: true },
    xAxis: { type: "category", data: data.districts, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", name: "亿元" },
    series: [
      { name: "年度计划", type: "bar", data: data.plan },
      { name: "本年完成", type: "bar", data: data.done },
    ],
  });
  draw("chart-trend", {
    grid: { left: 40, right: 40, top: 36, bottom: 30, containLabel: true },
    xAxis: { type: "category", data: data.trend.map((t) => t.name) },
    yAxis: [{ type: "value", name: "项目数" }, { type: "value", name: "亿元" }],
    series: [
      { name: "签约一批", type: "line", data: data.trend.map((t) => t.signed) },
      { name: "开工一批", type: "line", data: data.trend.map((t) => t.started) },
      { name: "投产一批", type: "line", data: data.trend.map((t) => t.producing) },
      { name: "签约总投资", type: "bar", yAxisIndex: 1, data: data.trend.map((t) => t.signed_investment_yi) },
    ],
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();

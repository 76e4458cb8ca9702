/* 三标计分卡: one trend chart per indicator (ECharts, from the data the page carries), with the standard and the
   benchmark as lines; on the city's card, its place in the national ranking of key cities. */
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("scorecard-data").textContent);
  const FONT = getComputedStyle(document.body).fontFamily;

  function line(value, name, colour, position) {
    return value === null || value === undefined ? [] : [{ yAxis: value, name, lineStyle: { color: colour, type: "dashed" }, label: { formatter: name + " {c}", color: colour, position } }];
  }

  /* the axis spans the values and both target lines, so a line far from the values still shows */
  function range(ind) {
    const all = ind.trend.map((t) => t.value).concat([ind.standard, ind.benchmark]).filter((v) => v !== null && v !== undefined);
    if (!all.length) return {};
    const lo = Math.min(...all), hi = Math.max(...all), pad = (hi - lo || Math.abs(hi) || 1) * 0.15;
    return { min: Number((lo - pad).toPrecision(3)), max: Number((hi + pad).toPrecision(3)) };
  }

  data.indicators.forEach((ind, i) => {
    const el = document.getElementById("trend-" + i);
    if (!el || typeof echarts === "undefined") return;
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 70, top: 24, bottom: 28, containLabel: true },
      xAxis: { type: "category", data: ind.trend.map((t) => t.period) },
      yAxis: { type: "value", name: ind.unit || "", ...range(ind) },
      series: [{
        name: ind.name, type: "line", connectNulls: false, symbolSize: 6,
        data: ind.trend.map((t) => t.value),
        markLine: { symbol: "none", data: [...line(ind.standard, "标准", "#b7791f", "insideEndBottom"), ...line(ind.benchmark, "标杆", "#1b7f3b", "insideEndTop")] },
      }],
    });
    el.dataset.points = String(ind.trend.filter((t) => t.value !== null).length);
    window.addEventListener("resize", () => chart.resize());
  });

  const box = document.getElementById("air-rank");
  if (box) {
    GG.api("GET", "/api/v1/air/ranking", undefined, { noRedirect: true }).then((r) => {
      box.querySelector("b").textContent = r.ours ? "倒数第" + r.ours.from_bottom : "未列入";
      box.querySelector("span").textContent = r.ours
        ? "全国重点城市空气质量综合指数 (" + r.period + "): " + r.ours.text + " · 综合指数 " + r.ours.index
        : "本市不在 " + r.period + " 的重点城市名单中";
      box.dataset.state = "ready";
    }).catch((e) => {
      box.querySelector("b").textContent = "—";
      box.querySelector("span").textContent = e.code === "no_city_ranking" ? "尚未导入重点城市排名" : "空气质量排名暂不可用";
      box.dataset.state = "none";
    });
  }
})();

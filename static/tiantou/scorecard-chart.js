// Township scorecard: every township's total points, in ranking order, as bars.
(function () {
  const data = JSON.parse(document.getElementById("scorecard-data").textContent);
  const element = document.getElementById("scorecard-chart");
  const chart = echarts.init(element);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: data.names.length > 8 ? 40 : 0 } },
    yAxis: { type: "value", name: data.label },
    series: [
      {
        name: data.label,
        type: "bar",
        data: data.totals,
        color: "#2f6f9f",
        label: { show: true, position: "top" },
      },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();

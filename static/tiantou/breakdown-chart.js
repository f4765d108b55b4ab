// Dashboard: villages and organisations per subdivision, as horizontal bars.
// Clicking a bar opens that subdivision's page.
(function () {
  const data = JSON.parse(document.getElementById("breakdown-data").textContent);
  const element = document.getElementById("breakdown-chart");
  const chart = echarts.init(element);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.names, inverse: true },
    series: [
      { name: data.labels.villages, type: "bar", data: data.villages, color: "#5b8c5a" },
      { name: data.labels.organisations, type: "bar", data: data.organisations, color: "#d08c2f" },
    ],
  });
  chart.on("click", (params) => {
    window.location.href = data.url.replace("000000000000", data.codes[params.dataIndex]);
  });
  window.addEventListener("resize", () => chart.resize());
})();

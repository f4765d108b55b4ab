// Counts page: cadres in office per township, stacked by dispatch level.
// Clicking a bar opens the roster filtered to that township.
(function () {
  const data = JSON.parse(document.getElementById("posting-counts-data").textContent);
  const element = document.getElementById("posting-counts-chart");
  const chart = echarts.init(element);
  const colours = ["#3b6ea5", "#5b8c5a", "#d08c2f"];
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.names, inverse: true },
    series: data.series.map((s, i) => ({
      name: s.name, type: "bar", stack: "total", data: s.data, color: colours[i % colours.length],
    })),
  });
  chart.on("click", (params) => {
    window.location.href = data.url + data.codes[params.dataIndex];
  });
  window.addEventListener("resize", () => chart.resize());
})();

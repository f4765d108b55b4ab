// Dashboard: the monthly trend against last year, and the comparison across
// subdivisions. Clicking a point or a bar opens the records behind that number.
(function () {
  const palette = ["#2f6f9f", "#d08c2f", "#5b8c5a", "#8a5a9f"];

  function open(urls, index) {
    if (urls && urls[index]) window.location.href = urls[index];
  }

  const trendElement = document.getElementById("trend-chart");
  if (trendElement) {
    const trend = JSON.parse(document.getElementById("trend-data").textContent);
    const series = [];
    trend.series.forEach((s, n) => {
      series.push({ name: `${s.name} ${trend.labels.this_year}`, type: "line", data: s.this_year,
                    color: palette[n], yAxisIndex: n, urls: s.urls, smooth: true });
      series.push({ name: `${s.name} ${trend.labels.last_year}`, type: "line", data: s.last_year,
                    color: palette[n], yAxisIndex: n, lineStyle: { type: "dashed" }, symbol: "none" });
    });
    const chart = echarts.init(trendElement);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: trend.months },
      yAxis: trend.series.map(() => ({ type: "value", minInterval: 1 })),
      series: series,
    });
    chart.on("click", (params) => open(series[params.seriesIndex].urls, params.dataIndex));
    window.addEventListener("resize", () => chart.resize());
  }

  const compareElement = document.getElementById("compare-chart");
  if (compareElement) {
    const compared = JSON.parse(document.getElementById("compare-data").textContent);
    const chart = echarts.init(compareElement);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: compared.names, inverse: true },
      series: compared.series.map((s, n) => ({ name: s.name, type: "bar", data: s.data, color: palette[n] })),
    });
    chart.on("click", (params) => open(compared.series[params.seriesIndex].urls, params.dataIndex));
    window.addEventListener("resize", () => chart.resize());
  }
})();

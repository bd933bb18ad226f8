/* Charts of the KPI dashboard (Chart.js, vendored). Every bar, slice and point opens the
   complaints behind it; the tables beside the charts carry the same links. */
(function () {
  "use strict";
  // The trend is a server-drawn SVG per KPI; the select shows one of them (no Chart.js needed).
  var select = document.getElementById("trend-kpi");
  function trend(key) {
    var figures = document.querySelectorAll("#chart-trend .trend-chart");
    Array.prototype.forEach.call(figures, function (figure) { figure.hidden = figure.getAttribute("data-kpi") !== key; });
  }
  if (select) {
    trend(select.value);
    select.addEventListener("change", function () { trend(select.value); });
  }

  var node = document.getElementById("metrics-data");
  if (!node || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var colours = ["#c2410c", "#0369a1", "#15803d", "#b45309", "#7c3aed", "#be123c", "#0f766e", "#4b5563", "#a16207", "#1d4ed8"];
  var charts = {};

  function go(links) {
    return function (event, elements) {
      if (elements.length && links[elements[0].index]) { window.location.href = links[elements[0].index]; }
    };
  }
  function pointer(event, elements) { event.native.target.style.cursor = elements.length ? "pointer" : "default"; }

  function bars(id, rows, label, horizontal) {
    return new Chart(document.getElementById(id), {
      type: "bar",
      data: { labels: rows.map(function (r) { return r.name; }), datasets: [{ label: label, data: rows.map(function (r) { return r.count; }), backgroundColor: colours[1] }] },
      options: { animation: false, indexAxis: horizontal ? "y" : "x", onClick: go(rows.map(function (r) { return r.link; })), onHover: pointer, plugins: { legend: { display: false } } }
    });
  }

  var pareto = data.pareto;
  charts.pareto = new Chart(document.getElementById("chart-pareto"), {
    data: {
      labels: pareto.map(function (r) { return r.name; }),
      datasets: [
        { type: "bar", label: data.labels.complaints, data: pareto.map(function (r) { return r.count; }), backgroundColor: colours[0], yAxisID: "y" },
        { type: "line", label: data.labels.cumulative, data: pareto.map(function (r) { return Math.round(r.cumulative * 1000) / 10; }), borderColor: colours[1], yAxisID: "y1" }
      ]
    },
    options: {
      animation: false, onClick: go(pareto.map(function (r) { return r.link; })), onHover: pointer,
      scales: { y: { beginAtZero: true }, y1: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } }
    }
  });
  charts.emotions = new Chart(document.getElementById("chart-emotions"), {
    type: "doughnut",
    data: { labels: data.emotions.map(function (r) { return r.name; }), datasets: [{ data: data.emotions.map(function (r) { return r.count; }), backgroundColor: colours }] },
    options: { animation: false, onClick: go(data.emotions.map(function (r) { return r.link; })), onHover: pointer }
  });
  charts.funnel = bars("chart-funnel", data.funnel, data.labels.complaints, true);
  charts.sources = bars("chart-sources", data.escalated_by_source, data.labels.escalated, true);
  window.kesuCharts = charts;
})();

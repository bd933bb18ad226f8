// The QA trend chart: the monthly QA score and communication sub-score (data in the page).
(function () {
  var canvas = document.getElementById("qa-trend");
  if (!canvas || typeof Chart === "undefined") return;
  var rows = JSON.parse(document.getElementById("qa-trend-data").textContent);
  var labels = JSON.parse(document.getElementById("qa-trend-labels").textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: rows.map(function (r) { return r.month; }),
      datasets: [
        { label: labels.score, data: rows.map(function (r) { return r.score; }), borderColor: "#c2410c", spanGaps: true },
        { label: labels.communication, data: rows.map(function (r) { return r.communication; }), borderColor: "#0b5cad", spanGaps: true }
      ]
    },
    options: { animation: false, scales: { y: { min: 0, max: 100 } } }
  });
})();

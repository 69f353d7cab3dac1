// The dashboard's daily chart (a static file: the Content Security Policy allows no inline script).
function drawDailyChart() {
  var source = document.getElementById("daily-data");
  var canvas = document.getElementById("daily-chart");
  if (!window.Chart || !canvas || !source) { return; }
  var previous = window.Chart.getChart ? window.Chart.getChart(canvas) : null;
  if (previous) { previous.destroy(); }
  var data = JSON.parse(source.textContent);
  var colours = ["#1f5fae", "#b4141e", "#1d7a3a", "#b36b00"];
  new window.Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: data.series.map(function (s, i) {
      return { label: s.name, data: s.data, borderColor: colours[i], backgroundColor: colours[i], tension: 0 };
    }) },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
               scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
}
document.addEventListener("DOMContentLoaded", drawDailyChart);
// Figures fetched by htmx (with the progress line shown meanwhile) redraw the chart.
document.addEventListener("htmx:afterSettle", drawDailyChart);

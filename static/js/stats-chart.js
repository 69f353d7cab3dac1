// The dashboard's daily chart (a static file: the Content Security Policy allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("daily-data").textContent);
  var canvas = document.getElementById("daily-chart");
  if (!window.Chart || !canvas) { return; }
  var colours = ["#1f5fae", "#b4141e", "#1d7a3a", "#b36b00"];
  new window.Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: data.series.map(function (s, i) {
      return { label: s.name, data: s.data, borderColor: colours[i], backgroundColor: colours[i], tension: 0 };
    }) },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
               scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
});

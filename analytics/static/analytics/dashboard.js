// Draws the dashboard's charts from the JSON the page embeds (#chart-data). Amounts arrive as
// decimal strings; Number() is fine here because the chart only draws them.
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || typeof Chart === "undefined") return;
  var data = JSON.parse(node.textContent);
  var palette = ["#1f5fbf", "#b3261e", "#1b7f3b", "#8a4baf", "#9a5b00", "#00727a"];
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    scales: { y: { beginAtZero: true } },
    plugins: { legend: { display: false } },
  };
  new Chart(document.getElementById("bookings-chart"), {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "Paid bookings", data: data.bookings, backgroundColor: "#1f5fbf" }],
    },
    options: common,
  });
  document.querySelectorAll(".revenue-chart").forEach(function (canvas, i) {
    var currency = canvas.dataset.currency;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [{
          label: "Gross revenue (" + currency.toUpperCase() + ")",
          data: (data.revenue[currency] || []).map(Number),
          borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length],
          pointRadius: data.labels.length > 60 ? 0 : 2,
        }],
      },
      options: common,
    });
  });
})();

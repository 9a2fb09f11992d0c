// Pending work updates itself: poll the result fragment until the request is finished.
(function () {
  "use strict";
  function poll(container) {
    var url = container.getAttribute("data-poll");
    var delay = 1000;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          container.innerHTML = html;
          var status = container.querySelector("[data-status]");
          var state = status ? status.getAttribute("data-status") : "";
          if (state === "done" || state === "failed") {
            container.removeAttribute("data-poll");
            return;
          }
          delay = Math.min(delay * 1.3, 5000);
          window.setTimeout(tick, delay);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, delay);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(poll);
  });
})();

// Shortlist forms post to the campaign chosen in their select.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-shortlist")) { return; }
  form.action = form.querySelector("[data-campaign-select]").value;
});

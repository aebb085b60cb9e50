// passend coach UI: small progressive enhancements only; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Filter the occupation list by typed text.
  var filter = document.getElementById("occ-filter");
  var select = document.getElementById("direction");
  if (filter && select) {
    filter.addEventListener("input", function () {
      var q = filter.value.toLowerCase();
      for (var i = 0; i < select.options.length; i++) {
        var o = select.options[i];
        o.hidden = q !== "" && !o.selected && o.text.toLowerCase().indexOf(q) < 0;
      }
    });
  }
  // Show the fields that belong to the chosen step.
  var kind = document.getElementById("kind");
  if (kind) {
    var update = function () {
      document.querySelectorAll("[data-for]").forEach(function (el) {
        el.style.display = el.getAttribute("data-for") === kind.value ? "" : "none";
      });
    };
    kind.addEventListener("change", update);
    update();
  }
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
});

// Target form: the unit follows the indicator chosen unless one was typed.
(function () {
  "use strict";
  const units = JSON.parse(document.getElementById("indicator-units").textContent);
  const indicator = document.getElementById("id_indicator");
  const unit = document.getElementById("id_unit");
  if (!indicator || !unit) return;
  indicator.addEventListener("change", function () {
    if (!unit.value || Object.values(units).includes(unit.value)) unit.value = units[indicator.value] || "";
  });
})();

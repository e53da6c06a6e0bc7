// Optional: the region and "all" boxes work on the server; this only ticks what they cover.
(function () {
  "use strict";
  document.querySelectorAll("[data-office-picker]").forEach(function (picker) {
    var all = picker.querySelector('[name="invite_all"]');
    var every = function (boxes) { return boxes.length > 0 && Array.prototype.every.call(boxes, function (box) { return box.checked; }); };
    picker.addEventListener("change", function (event) {
      var target = event.target;
      if (target === all) {
        picker.querySelectorAll('[name="regions"], [name="offices"]').forEach(function (box) { box.checked = all.checked; });
        return;
      }
      var group = target.closest("[data-region-group]");
      if (!group) { return; }
      var region = group.querySelector('[name="regions"]');
      var offices = group.querySelectorAll('[name="offices"]');
      if (target === region) {
        offices.forEach(function (box) { box.checked = region.checked; });
      } else if (region) {
        region.checked = every(offices);
      }
      if (all) { all.checked = every(picker.querySelectorAll('[name="offices"]')); }
    });
  });
})();

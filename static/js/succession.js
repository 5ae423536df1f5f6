// 事業の引継ぎ: show only the fields the chosen 引継ぎ区分 uses (掲載項目 for 継続・分割,
// 統合先 for 統合, 分割後の事業名 for 分割). Without this script every field is shown; the
// server checks each row whatever is shown.
(function () {
  "use strict";
  var uses = { continued: ["item"], split: ["item", "split_names"], merged: ["merge_into"] };
  function update(select) {
    var row = select.closest("tr");
    if (!row) { return; }
    var wanted = uses[select.value] || [];
    row.querySelectorAll("[data-fate-field]").forEach(function (box) {
      box.hidden = wanted.indexOf(box.getAttribute("data-fate-field")) === -1;
    });
    var none = row.querySelector("[data-fate-none]");
    if (none) { none.hidden = wanted.length > 0; }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-fate']")) { update(event.target); }
  });
  document.querySelectorAll("select[name$='-fate']").forEach(update);
})();

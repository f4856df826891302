/* The compose form shows the disclosure date for a public notice only, and the privacy check
   for good deeds and uncivil behaviour only. Without JavaScript every field shows. */
(function () {
  "use strict";
  var form = document.querySelector("form.compose");
  if (!form) return;
  var people = (form.getAttribute("data-people-kinds") || "").split(" ");
  var disclosure = form.querySelector(".field-disclosure");
  var privacy = form.querySelector(".field-privacy");
  function kind() {
    var checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "";
  }
  function update() {
    var k = kind();
    if (disclosure) disclosure.hidden = k !== "disclosure";
    if (privacy) privacy.hidden = people.indexOf(k) < 0;
  }
  form.addEventListener("change", update);
  update();
})();

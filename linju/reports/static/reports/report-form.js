/* The report form (reports/new.html), loaded with defer. Three screens out of one form:
   without this script the sections simply stack. Also: the extra questions of the chosen
   category only, the photo count, and the schematic point. */
(function () {
  var form = document.getElementById("report-form");
  if (!form) return;
  var screens = Array.prototype.slice.call(form.querySelectorAll(".screen"));
  var current = 1;
  form.querySelectorAll("[data-js]").forEach(function (el) { el.hidden = false; });
  function show(n, focus) {
    current = n;
    screens.forEach(function (s) { s.hidden = Number(s.dataset.screen) !== n; });
    if (focus) { var h = form.querySelector("#screen-" + n); if (h) h.focus(); window.scrollTo(0, 0); }
  }
  function validScreen(n) {
    var fields = screens[n - 1].querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (!f.disabled && f.willValidate && !f.checkValidity()) { f.reportValidity(); return false; }
    }
    return true;
  }
  form.addEventListener("click", function (e) {
    var go = e.target.closest("[data-go]");
    if (!go) return;
    var to = Number(go.dataset.go);
    if (to > current && !validScreen(current)) return;
    show(to, true);
  });
  // The browser checks every field on submit: open the screen of the first one it stops at.
  form.addEventListener("invalid", function (e) {
    var s = e.target.closest(".screen");
    if (s && s.hidden) show(Number(s.dataset.screen), false);
  }, true);

  function syncCategory() {
    var chosen = form.querySelector("input[name='category']:checked");
    var code = chosen ? chosen.value : "";
    form.querySelectorAll("fieldset.attrs").forEach(function (fs) {
      var on = fs.dataset.category === code;
      fs.hidden = !on;
      fs.disabled = !on;
      fs.querySelectorAll("[data-required]").forEach(function (input) { input.required = on; });
    });
  }
  var photos = form.querySelector("input[name='photos']");
  form.addEventListener("change", function (e) {
    if (e.target.name === "category") syncCategory();
    if (e.target === photos) {
      photos.setCustomValidity(photos.files.length > 9 ? form.dataset.tooMany : "");
      photos.reportValidity();
    }
  });
  syncCategory();

  var svg = form.querySelector("svg.schematic");
  var mx = form.querySelector("input[name='map_x']"), my = form.querySelector("input[name='map_y']");
  var place = form.querySelector("select[name='place']");
  if (svg && mx && my) {
    var marker = svg.querySelector(".marker");
    var w = Number(svg.dataset.w), h = Number(svg.dataset.h);
    var clamp = function (v) { return Math.min(1, Math.max(0, v)); };
    svg.addEventListener("click", function (e) {
      var pt = svg.createSVGPoint();
      pt.x = e.clientX; pt.y = e.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse());
      var x = clamp(p.x / w), y = clamp(p.y / h);
      mx.value = x.toFixed(4); my.value = y.toFixed(4);
      marker.setAttribute("cx", x * w); marker.setAttribute("cy", y * h);
      marker.setAttribute("visibility", "visible");
      var building = e.target.closest("[data-place]");
      if (building && place && place.querySelector("option[value='" + building.dataset.place + "']")) {
        var inside = place.options[place.selectedIndex];
        // A unit of the tapped building stays chosen; anything else becomes the building.
        if (!inside || inside.text.indexOf(building.querySelector("text").textContent + " ") !== 0) {
          place.value = building.dataset.place;
          place.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
    });
    var clear = form.querySelector("[data-clear-point]");
    if (clear) clear.addEventListener("click", function () {
      mx.value = ""; my.value = ""; marker.setAttribute("visibility", "hidden");
    });
  }
  show(Number(form.dataset.firstScreen) || 1, false);
})();

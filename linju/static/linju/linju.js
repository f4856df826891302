/* Behaviour every page shares, wired by event delegation from data attributes so that no page
   needs inline JavaScript (the Content-Security-Policy allows scripts from the app's own static
   files only). Loaded with defer from base.html.

   data-confirm="question": a button (or link) that asks first; Cancel stops the submit.
   data-print: a button that opens the browser's print dialog. */
(function () {
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var asking = target.closest("[data-confirm]");
    if (asking && !window.confirm(asking.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
})();

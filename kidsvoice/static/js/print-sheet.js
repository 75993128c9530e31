// The answer sheet's print view: the visit was recorded by the server; open the print dialog
// once, and offer a button to open it again.  Without JavaScript the browser's own print
// command does the same.
(function () {
  "use strict";
  function ready() {
    var again = document.querySelector("[data-print]");
    if (again) {
      again.hidden = false;
      again.addEventListener("click", function () { window.print(); });
    }
    window.setTimeout(function () { window.print(); }, 300);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

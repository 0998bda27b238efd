/* Show the "Imprimer" button only where it can work, and print on a tap. */
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (!button || !window.print) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();

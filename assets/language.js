// Sends a visitor of the root page to the site in their preferred language.
// Without JavaScript the page simply offers both languages as links.
(function () {
  var holder = document.querySelector("[data-languages]");
  if (!holder) return;
  var offered = holder.getAttribute("data-languages").split(" ");
  var wanted = navigator.languages || [navigator.language || ""];
  for (var i = 0; i < wanted.length; i++) {
    var code = String(wanted[i]).toLowerCase().split("-")[0];
    if (offered.indexOf(code) !== -1) {
      window.location.replace("/" + code + "/");
      return;
    }
  }
})();

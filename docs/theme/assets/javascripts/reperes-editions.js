/*
 * Repères: the banner of an archived edition (reperes publish).
 *
 * An edition is static once deployed; what changed since is known only by the
 * current one. The versions branch's root holds changements.json, rewritten by
 * every publication: for each edition, the pages whose record changed since
 * (the French names of the changed fields), null for a record since deleted.
 * This script names the edition's date, links to the same page in the current
 * edition and, on a record's page, lists its changed fields. Text only
 * (textContent): nothing read from the file becomes markup.
 */
(function () {
  "use strict";
  var banner = document.querySelector("[data-reperes-edition]");
  var config = document.getElementById("__config");
  if (!banner || !config) return;
  var base = new URL(JSON.parse(config.textContent).base + "/", location.href);
  var edition = decodeURIComponent((base.pathname.match(/([^/]+)\/$/) || [])[1] || "");
  var root = new URL("../", base);
  var page = location.pathname.indexOf(base.pathname) === 0 ? location.pathname.slice(base.pathname.length) : "";
  page = page.replace(/index\.html$/, "");

  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (className) node.className = className;
    return node;
  }

  function longDate(iso) {
    var parts = iso.split("-").map(Number);
    return new Date(Date.UTC(parts[0], parts[1] - 1, parts[2])).toLocaleDateString("fr-FR", {
      weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC"
    });
  }

  fetch(new URL("changements.json", root), { cache: "no-cache" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.editions || !data.actuelle || edition === data.actuelle.version) return;
      var info = data.editions[edition];
      if (!info) return;
      var current = new URL(data.actuelle.version + "/", root);
      var changes = Object.prototype.hasOwnProperty.call(info.pages, page) ? info.pages[page] : undefined;
      var link = document.createElement("a");
      var lead = text("p", "");
      lead.appendChild(text("strong", "Édition du " + longDate(info.date) + "."));
      lead.appendChild(document.createTextNode(
        " Cette page montre ce qui était en vigueur ce jour-là, pas ce qui l'est aujourd'hui. "));
      if (changes === null) {
        link.href = current.href;
        link.textContent = "Aller à l'édition actuelle";
        lead.appendChild(text("span", "Cette fiche n'existe plus dans l'édition actuelle. "));
      } else {
        link.href = new URL(page, current).href;
        link.textContent = "Voir cette page dans l'édition actuelle";
      }
      lead.appendChild(link);
      banner.replaceChildren(lead);
      if (changes && changes.length) {
        banner.appendChild(text("p", "Depuis cette édition : " + changes.join(", ") + ".", "reperes-edition__changements"));
      }
      banner.setAttribute("data-reperes-edition", "pret");
    })
    .catch(function () { /* the static text stays: date and changes unknown */ });
})();

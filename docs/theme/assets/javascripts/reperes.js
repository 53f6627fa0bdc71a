/* Repères: what the theme does not do for an agent on a call. Our own file,
   served by the site, nothing from another host.

   - Acronyms (<abbr>, from the glossary) take the keyboard focus, so that
     their expansion (Material's tooltip, content.tooltips) shows on focus as
     it does on hover (RGAA 10.13: content shown on hover is shown on focus).
   - Reply templates (.reperes-modele) get a "Copier le texte" button that
     copies the text as written: one line per paragraph, paragraphs separated
     by a blank line, no line break where the screen or the YAML wrapped. */
(function () {
  "use strict";

  var LABEL = "Copier le texte";

  function flat(element) {
    var copy = element.cloneNode(true);
    copy.querySelectorAll("[role=tooltip], .md-tooltip, .md-tooltip2, .reperes-copier").forEach(function (node) {
      node.remove();
    });
    copy.querySelectorAll("br").forEach(function (node) { node.replaceWith(" "); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  /* The reply's text: paragraphs and list items, as the agent reads them. */
  function replyText(box) {
    var blocks = [];
    Array.prototype.forEach.call(box.children, function (child) {
      if (child.matches(".admonition-title, .reperes-copier, .reperes-copie-etat")) return;
      if (child.matches("ul, ol")) {
        var ordered = child.tagName === "OL";
        var items = Array.prototype.map.call(child.children, function (item, index) {
          return (ordered ? (index + 1) + ". " : "- ") + flat(item);
        });
        blocks.push(items.join("\n"));
      } else {
        blocks.push(flat(child));
      }
    });
    return blocks.filter(Boolean).join("\n\n");
  }

  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "reperes-presse-papiers";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    area.remove();
    return done;
  }

  function copy(text, status) {
    function tell(done) {
      status.textContent = done ? "Texte copié." : "Copie impossible : sélectionnez le texte à la main.";
      window.setTimeout(function () { status.textContent = ""; }, 4000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { tell(true); }, function () {
        tell(copyWithSelection(text));
      });
    } else {
      tell(copyWithSelection(text));  // an intranet served over plain http
    }
  }

  function setup() {
    document.querySelectorAll("article abbr").forEach(function (abbr) {
      if (!abbr.hasAttribute("tabindex")) abbr.tabIndex = 0;
    });
    document.querySelectorAll("article .admonition.reperes-modele").forEach(function (box) {
      if (box.querySelector(".reperes-copier")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button reperes-copier";
      button.textContent = LABEL;
      var status = document.createElement("span");
      status.className = "reperes-copie-etat";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () { copy(replyText(box), status); });
      box.appendChild(button);
      box.appendChild(status);
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setup);  // Material's page-ready signal (instant navigation too)
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

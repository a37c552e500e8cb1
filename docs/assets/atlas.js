/* Atlas: filter and sort the collectivités index. No dependency, works with Material's instant loading. */
(function () {
  // The page's words, in its edition's language (the catalogue, never this file): a counted phrase
  // by plural category (data-compte), the others in <meta name="atlas-mots"> (theme/main.html).
  var lang = document.documentElement.lang || "fr";
  function words() {
    var meta = document.querySelector('meta[name="atlas-mots"]');
    try { return JSON.parse(meta ? meta.content : "{}"); } catch (e) { return {}; }
  }
  function count(forms, n) {
    var byCategory = {};
    try { byCategory = JSON.parse(forms || "{}"); } catch (e) { /* no words: the number alone */ }
    var text = byCategory[new Intl.PluralRules(lang).select(n)] || byCategory.other || "{n}";
    return text.replace("{n}", n.toLocaleString(lang));
  }
  function setup(form) {
    var table = document.getElementById(form.dataset.table);
    if (!table || form.dataset.ready) return;
    form.dataset.ready = "1";
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    // accents, case, hyphens and apostrophes do not count: « saint omer » finds « Saint-Omer »
    var fold = function (s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[\s\-'\u2019]+/g, " "); };
    function apply() {
      var q = fold(form.elements.q.value.trim()), type = form.elements.type.value, dep = form.elements.departement.value, n = 0;
      rows.forEach(function (r) {
        var ok = (!q || fold(r.dataset.nom).indexOf(q) >= 0) && (!type || r.dataset.type === type) && (!dep || r.dataset.departement === dep);
        r.hidden = !ok; if (ok) n++;
      });
      form.elements.compte.value = count(form.dataset.compte, n);
    }
    var asked = new URLSearchParams(window.location.search).get("q");
    if (asked && !form.elements.q.value) form.elements.q.value = asked;
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    apply();
  }
  function sortable(table) {
    if (table.dataset.ready) return;
    table.dataset.ready = "1";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending", numeric = th.dataset.type === "nombre";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
          var d = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "fr", {sensitivity: "base"});
          return asc ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  // A table wider than the screen scrolls sideways: say so above it (otherwise nothing shows that
  // columns are hidden), and let the keyboard scroll it too (the frame takes the focus).
  // Every frame measured first, then every cue written: one layout, not one per table.
  function scrollCue(wraps) {
    var wide = wraps.map(function (wrap) {
      var table = wrap.querySelector("table");
      return table ? table.scrollWidth > wrap.clientWidth + 2 : null;
    });
    wraps.forEach(function (wrap, k) {
      if (wide[k] === null) return;
      var table = wrap.querySelector("table"), cue = wrap.previousElementSibling;
      if (!cue || !cue.classList.contains("atlas-defiler")) {
        if (!wide[k]) return;
        cue = document.createElement("p");
        cue.className = "atlas-defiler";
        cue.setAttribute("aria-hidden", "true");
        cue.textContent = words().glisser || "→";
        wrap.parentNode.insertBefore(cue, wrap);
      }
      cue.hidden = !wide[k];
      if (wide[k]) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var label = words().defilant || "";
        wrap.setAttribute("aria-label", table.caption ? (words().defilantTitre || "{titre}").replace("{titre}", table.caption.textContent) : label);
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  // Measured when the browser lays the page out anyway (ResizeObserver: after its layout, never
  // forcing one while the page loads), and again whenever a frame changes width (the window
  // resized, a <details> opened).
  var frames = typeof ResizeObserver === "function" ? new ResizeObserver(function (entries) {
    scrollCue(entries.map(function (e) { return e.target; }));
  }) : null;
  function scrollCues() {
    var wraps = Array.prototype.slice.call(document.querySelectorAll(".md-typeset__scrollwrap"));
    if (frames) wraps.forEach(function (wrap) { frames.observe(wrap); }); else scrollCue(wraps);
  }
  if (!frames) {
    var resizing = null;
    window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(scrollCues, 200); });
    document.addEventListener("toggle", scrollCues, true);  // a table inside <details> has a width once opened
  }
  // The home's « Trouver une collectivité ou un pays »: the names come on first use (trouver.json);
  // a name typed in full leads to its page; anything else goes to the collectivités' filter (the
  // form's own address, which also works without JavaScript).
  function finder(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    var input = form.elements.q, list = document.getElementById(input.getAttribute("list")), index = null, loading = null;
    var fold = function (s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[\s\-'\u2019]+/g, " ").trim(); };
    function load() {
      if (!loading) {
        loading = fetch(form.dataset.index).then(function (r) { return r.json(); }).then(function (rows) {
          index = {};
          rows.forEach(function (r) {
            index[fold(r[0])] = r[1];
            var o = document.createElement("option");
            o.value = r[0];
            list.appendChild(o);
          });
        }).catch(function () { index = {}; });
      }
      return loading;
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", load);
    form.addEventListener("submit", function (e) {
      var typed = fold(input.value);
      if (!typed) { e.preventDefault(); return; }
      var go = index && index[typed];
      if (go) { e.preventDefault(); window.location.href = new URL(form.dataset.index, window.location.href).href.replace(/trouver\.json$/, "") + go; }
    });
  }
  function init() {
    scrollCues();
    // Material's search overlay is a dialog without a name (axe: aria-dialog-name).
    document.querySelectorAll(".md-search[role=dialog]:not([aria-label])").forEach(function (d) { d.setAttribute("aria-label", "Recherche"); });
    document.querySelectorAll("form.atlas-filtres").forEach(setup);
    document.querySelectorAll("form.atlas-trouver").forEach(finder);
    document.querySelectorAll("table.atlas-triable").forEach(sortable);
  }
  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();

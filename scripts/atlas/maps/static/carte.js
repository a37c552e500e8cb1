/* Atlas de la coopération : dessin des cartes (Leaflet 1.9, aucune autre dépendance). */
(function () {
  "use strict";
  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
  function a(href, text) { return '<a href="' + esc(href) + '" target="_top">' + esc(text) + "</a>"; }
  function plural(n, one, many) { return n + "\u00a0" + (n > 1 ? many : one); }
  var KIND = {SEAT: 0, PARTNER: 1, APPROX: 2, COUNTRY: 3};
  var LOC = {EXACT: 0, APPROX: 1, COUNTRY: 2};

  function control(map, position, className, html) {
    var C = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "atlas-controle " + className);
        div.innerHTML = html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    var c = new C({position: position});
    c.addTo(map);
    return c.getContainer();
  }

  function baseShapes(map) {
    // Country outlines in a pane under the tiles: visible while tiles load, or if they are blocked.
    map.createPane("atlasFond").style.zIndex = 150;
    if (!window.atlasPays) return null;
    return L.geoJSON(window.atlasPays, {
      pane: "atlasFond", interactive: false,
      style: {color: "#ffffff", weight: 0.8, fillColor: "#d9d6cf", fillOpacity: 1, className: "atlas-fond"}
    }).addTo(map);
  }

  function choropleth(map, D, root) {
    var n = 0;
    var layer = L.geoJSON(window.atlasPays || {type: "FeatureCollection", features: []}, {
      filter: function (f) { return !!D.pays[f.properties.iso]; },
      style: function (f) {
        var c = D.pays[f.properties.iso], i = 0;
        while (i < D.classes.length - 1 && c[1] > D.classes[i][1]) i++;
        return {color: "#ffffff", weight: 0.8, fillColor: D.classes[i][2], fillOpacity: 0.9, className: "atlas-pays"};
      },
      onEachFeature: function (f, l) {
        var c = D.pays[f.properties.iso];
        n++;
        l.bindTooltip(esc(c[0]) + " : " + plural(c[1], "partenariat", "partenariats"), {sticky: true});
        l.bindPopup("<strong>" + a(root + c[2], c[0]) + "</strong><br>" + plural(c[1], "partenariat", "partenariats") +
                    " · " + plural(c[3], "collectivité", "collectivités"));
      }
    }).addTo(map);
    return {layer: layer, count: n};
  }

  function links(map, D, root) {
    var M = D.m, Lk = D.l, C = D.c, P = D.p;
    var typesOn = D.types.map(function () { return true; }), theme = -1;
    function seatPopup(i) {
      var names = {}, html = [];
      Lk.forEach(function (l) { if (l[0] === i) names[l[2]] = true; });
      (M[i][3] || []).forEach(function (ci) { names[ci] = true; });
      Object.keys(names).forEach(function (ci) {
        var n = 0;
        Lk.forEach(function (l) { if (l[2] === +ci) n += l[5].length; });
        html.push("<strong>" + a(root + C[ci][1], C[ci][0]) + "</strong> (" + esc(D.types[C[ci][2]][1]) + ")" +
                  (n ? "<br>" + plural(n, "partenariat", "partenariats") + " sur cette carte" : ""));
      });
      return html.join("<br>");
    }
    function partnerPopup(i) {
      var m = M[i], p = P[m[4]], who = {}, list = [];
      Lk.forEach(function (l) { if (l[1] === i) who[l[2]] = true; });
      Object.keys(who).forEach(function (ci) { list.push(a(root + C[ci][1], C[ci][0])); });
      var head = m[2] === KIND.COUNTRY
        ? "<strong>Partenaire non identifié</strong> — " + a(root + p[1], p[0]) +
          '<br><em>Le point marque le pays, pas une ville : la source ne nomme pas le partenaire.</em>'
        : "<strong>" + esc(m[3]) + "</strong> (" + a(root + p[1], p[0]) + ")" +
          (m[2] === KIND.APPROX ? "<br><em>Position approximative.</em>" : "");
      return head + (list.length ? "<br>Partenaire de : " + list.join(", ") : "");
    }
    function linkPopup(i) {
      var l = Lk[i], c = C[l[2]], m = M[l[1]], p = P[m[4]];
      var other = m[2] === KIND.COUNTRY ? "partenaire non identifié (" + a(root + p[1], p[0]) + ")"
                                         : esc(m[3]) + " (" + a(root + p[1], p[0]) + ")";
      var parts = l[5].map(function (x) {
        return a(root + c[1] + "#partenariat-" + x[0], D.natures[x[1]]) + (x[2] ? " depuis " + x[2] : "");
      });
      return "<strong>" + a(root + c[1], c[0]) + "</strong> ↔ " + other + "<br>" + parts.join("<br>");
    }
    function onClick(popup) {
      return function (e) {
        L.popup().setLatLng(e.latlng).setContent(popup(e.layer.feature.properties.i)).openOn(map);
      };
    }
    var lineStyle = function (f) {
      var l = Lk[f.properties.i], t = D.types[C[l[2]][2]];
      if (l[3] === LOC.COUNTRY) return {color: "#6b6b6b", weight: 1.5, opacity: 0.8, dashArray: "6 6", className: "atlas-lien atlas-lien-pays"};
      return {color: t[2], weight: D.dense ? 1.5 : 2, opacity: D.opacity || 0.85, dashArray: l[3] === LOC.APPROX ? "2 5" : null,
              className: "atlas-lien" + (l[3] === LOC.APPROX ? " atlas-lien-approx" : "")};
    };
    var k = D.dense ? 0.6 : 1;
    var pointStyle = function (f, latlng) {
      var m = M[f.properties.i];
      if (m[2] === KIND.SEAT) return L.circleMarker(latlng, {radius: 5 * k, color: "#ffffff", weight: 1.5, fillColor: D.types[m[5]][2], fillOpacity: 1, className: "atlas-marqueur atlas-siege"});
      if (m[2] === KIND.COUNTRY) return L.circleMarker(latlng, {radius: 6 * k, color: "#6b6b6b", weight: 1.5, dashArray: "3 3", fillColor: "#ffffff", fillOpacity: 0.7, className: "atlas-marqueur atlas-point-pays"});
      return L.circleMarker(latlng, {radius: 4 * k, color: "#ffffff", weight: 1, fillColor: "#333333", fillOpacity: 1, className: "atlas-marqueur atlas-partenaire" + (m[2] === KIND.APPROX ? " atlas-approx" : "")});
    };
    var lineLayers = D.types.map(function () { return L.geoJSON(null, {style: lineStyle}).on("click", onClick(linkPopup)).addTo(map); });
    var countryLines = L.geoJSON(null, {style: lineStyle}).on("click", onClick(linkPopup)).addTo(map);
    var partnerLayer = L.geoJSON(null, {pointToLayer: pointStyle}).on("click", onClick(partnerPopup)).addTo(map);
    var seatLayer = L.geoJSON(null, {pointToLayer: pointStyle}).on("click", onClick(seatPopup)).addTo(map);

    function draw() {
      var used = new Uint8Array(M.length), lines = D.types.map(function () { return []; }), dashed = [], nl = 0;
      (D.fixe || []).forEach(function (i) { used[i] = 1; });
      Lk.forEach(function (l, i) {
        if (!typesOn[C[l[2]][2]] || (theme >= 0 && l[4].indexOf(theme) < 0)) return;
        used[l[1]] = 1;
        if (l[0] < 0) return;  // collectivité without a known seat: its partner is shown, no line
        used[l[0]] = 1;
        var s = M[l[0]], p = M[l[1]];
        var f = {type: "Feature", properties: {i: i}, geometry: {type: "LineString", coordinates: [[s[1], s[0]], [p[1], p[0]]]}};
        (l[3] === LOC.COUNTRY ? dashed : lines[C[l[2]][2]]).push(f);
        nl++;
      });
      var seats = [], partners = [], nm = 0;
      for (var i = 0; i < M.length; i++) {
        if (!used[i]) continue;
        nm++;
        var f = {type: "Feature", properties: {i: i}, geometry: {type: "Point", coordinates: [M[i][1], M[i][0]]}};
        (M[i][2] === KIND.SEAT ? seats : partners).push(f);
      }
      lineLayers.forEach(function (layer, t) { layer.clearLayers(); layer.addData({type: "FeatureCollection", features: lines[t]}); });
      countryLines.clearLayers(); countryLines.addData({type: "FeatureCollection", features: dashed});
      partnerLayer.clearLayers(); partnerLayer.addData({type: "FeatureCollection", features: partners});
      seatLayer.clearLayers(); seatLayer.addData({type: "FeatureCollection", features: seats});
      return {links: nl, markers: nm};
    }

    var api = {draw: draw};
    if (D.filtres) {
      var html = '<details open><summary>Filtrer</summary><form class="atlas-filtre"><fieldset><legend>Type de collectivité</legend>';
      D.types.forEach(function (t, k) {
        if (!D.typesPresents[k]) return;
        html += '<label><input type="checkbox" name="type" value="' + k + '" checked> <span class="atlas-puce" style="background:' + t[2] + '"></span>' + esc(t[1]) + "</label>";
      });
      html += '</fieldset><label for="atlas-thematique">Thématique</label><select id="atlas-thematique" name="thematique"><option value="-1">Toutes</option>';
      D.themes.forEach(function (t, k) { html += '<option value="' + k + '">' + esc(t[1]) + "</option>"; });
      html += '</select><output name="compte" aria-live="polite"></output></form></details>';
      var box = control(map, "topright", "atlas-filtres", html), form = box.querySelector("form");
      var size = map.getSize();
      if (size.y < 560 || size.x < 760) box.querySelector("details").removeAttribute("open");
      api.form = form;
      api.onchange = function () {
        Array.prototype.forEach.call(form.querySelectorAll('input[name="type"]'), function (c) { typesOn[+c.value] = c.checked; });
        theme = +form.elements.thematique.value;
      };
    }
    return api;
  }

  // Leaflet speaks English: its controls get French names (what a screen reader says, what a tooltip shows).
  function frenchControls(map) {
    if (map.zoomControl) map.removeControl(map.zoomControl);
    map.zoomControl = L.control.zoom({zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer"}).addTo(map);
  }

  // A map inside a page must not trap the wheel: the page scrolls until the reader clicks the map
  // or reaches it with the keyboard; Ctrl + molette zooms at once; a short hint says so.
  function wheelWaitsForTheReader(map, el) {
    map.scrollWheelZoom.disable();
    var hint = document.createElement("p");
    hint.className = "atlas-indice";
    hint.setAttribute("aria-hidden", "true");
    hint.textContent = "Cliquez sur la carte (ou Ctrl + molette) pour zoomer avec la molette";
    el.appendChild(hint);
    var timer = null;
    function on() { map.scrollWheelZoom.enable(); hint.classList.remove("atlas-visible"); }
    function off() { map.scrollWheelZoom.disable(); }
    map.on("click", on);
    el.addEventListener("focus", on);
    el.addEventListener("mouseleave", off);
    el.addEventListener("blur", off);
    el.addEventListener("wheel", function (e) {
      if (map.scrollWheelZoom.enabled()) return;
      if (e.ctrlKey) {
        e.preventDefault();
        map.setZoom(map.getZoom() + (e.deltaY < 0 ? 1 : -1));
        return;
      }
      hint.classList.add("atlas-visible");
      clearTimeout(timer);
      timer = setTimeout(function () { hint.classList.remove("atlas-visible"); }, 1500);
    }, {passive: false});
  }

  window.atlasCarte = function (map, tiles, D) {
    var root = D.root || "../", el = map.getContainer();
    var state = window.atlasMap = {id: D.id, links: D.links || 0, markers: D.markers || 0, countries: D.countries || 0,
                                   drawn: {links: 0, markers: 0, countries: 0}};
    function publish(drawn) {
      state.drawn = drawn;
      el.setAttribute("data-liens", drawn.links);
      el.setAttribute("data-marqueurs", drawn.markers);
      el.setAttribute("data-pays", drawn.countries);
    }
    var fullPage = window.self === window.top;
    if (fullPage) document.body.classList.add("atlas-pleine-page");
    frenchControls(map);
    if (!fullPage) wheelWaitsForTheReader(map, el);
    baseShapes(map);
    var overlays = {};
    if (D.type === "choroplethe") {
      var ch = choropleth(map, D, root);
      overlays["Pays colorés"] = ch.layer;
      publish({links: 0, markers: 0, countries: ch.count});
    } else {
      var api = links(map, D, root);
      var redraw = function () { var r = api.draw(); r.countries = 0; publish(r); if (api.form) api.form.elements.compte.value = plural(r.links, "lien affiché", "liens affichés"); };
      redraw();
      if (api.form) api.form.addEventListener("change", function () { api.onchange(); redraw(); });
      if (api.form) api.form.addEventListener("submit", function (e) { e.preventDefault(); });
    }
    if (D.legende) {
      var legend = control(map, D.filtres ? "bottomleft" : "topright", "atlas-legende", "<details open><summary>Légende</summary>" + D.legende + "</details>");
      // open wherever it leaves room for the map (a page's 30rem frame included); folded on a phone
      if (el.clientHeight < 380 || el.clientWidth < 520) legend.querySelector("details").removeAttribute("open");
    }
    var bases = {};
    if (tiles) { bases[D.fond || "Fond de carte"] = tiles; bases["Sans fond (contours des pays)"] = L.layerGroup(); }
    if (tiles) {
      var layers = L.control.layers(bases, null, {position: "bottomright"}).addTo(map);
      var toggle = layers.getContainer().querySelector(".leaflet-control-layers-toggle");
      if (toggle) { toggle.title = "Fond de carte"; toggle.setAttribute("aria-label", "Choisir le fond de carte"); }
    }
    if (D.bounds) map.fitBounds(D.bounds, {paddingTopLeft: [50, 50], paddingBottomRight: [40, 40], maxZoom: D.maxZoom || 6});
    el.setAttribute("data-pret", "1");
  };
})();

/* Atlas de la coopération : dessin des cartes (Leaflet 1.9, aucune autre dépendance).

   The data a map receives (the wire format, written by maps/interactive.py and maps/records.py).
   The viewer page gives what every map shares (its data-commun attribute); each map's JSON,
   cartes/<id>.json, brings the rest. Records are short arrays, to keep thousands of maps small;
   `decode` and `decodeWorld` below name their positions once, and nothing else reads a record by
   position. In brackets, the Python class (maps/records.py, maps/legend.py) that writes each one.

   Shared:  root, tiles (the tiles' name), shapes (the address of the country outlines, pays.js), natures [label…],
            types [[key, label, colour]…], colors {sea, land, border, partner, country, flow, origin},
            kinds {SEAT, PARTNER, APPROX, COUNTRY}, locations {EXACT, APPROX, COUNTRY} (records.Kind, records.Location),
            textes: every word this script shows, in the edition's language (viewer.words): {lang, key: text
            with {placeholders}, or for a counted phrase {plural category: text with {n}}}
   A map:   id, title, label (text alternative), page, bounds, maxZoom, legend {title, items},
            type "choroplethe": byCountry {iso: [name, partnerships, url, collectivités]} (CountryCount),
                                classes [[low, high, colour]…] (ColorClass), countries (how many are drawn)
            type "liens":
              m  markers    seat:    [lat, lon, kind, [collectivité index…], null, type index]       (Marker)
                            partner: [lat, lon, kind, label (names, " / "), iso]
                            country: [lat, lon, kind, label (named, may be ""), iso, partners not named]
              l  links      [seat marker (-1: seat unknown), partner marker, collectivité index, location,
                             [theme index…], [[number, nature index, year or 0]…]]             (Link, Part)
              c  collectivités [name, url, type index] (Collectivity);   p  countries {iso: [name, url]} (Country)
              links, markers (counts), typesPresents [bool…], opacity, dense, fixed [marker…] (always shown),
              filters, themes [[key, label]…] (the filterable map),
              flows {origin [name, lat, lon] (Origin), zoom, labelled (how many flows carry a label), legend}
   Legend items: [symbol, colour, label] (LegendItem), symbol one of legend.Symbol (SYMBOLS below draws each). */
(function () {
  "use strict";
  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
  // A colour written into a style attribute: escaping keeps it inside the attribute, not out of the
  // CSS; only "#rrggbb"-like values pass (they all come from maps/style.py), anything else draws nothing.
  function colour(c) { return /^#[0-9a-fA-F]{3,8}$/.test(String(c)) ? c : "transparent"; }
  // Where a popup's link opens: in the atlas's own pages, the page around the frame; framed by another
  // site, a new tab (never navigate the host page away); full screen, the same tab.
  var framed = window.self !== window.top, sameSite = false;
  try { sameSite = framed && window.top.location.origin === window.location.origin; } catch (e) { sameSite = false; }
  var TARGET = !framed ? "" : (sameSite ? ' target="_top"' : ' target="_blank" rel="noopener"');
  function a(href, text) { return '<a href="' + esc(href) + '"' + TARGET + ">" + esc(text) + "</a>"; }

  // The words, in the edition's language (the shared data's `textes`; this script has none of its
  // own): set once by `speak`, before anything is shown. `say` fills a text's {placeholders} with
  // plain text; `sayHtml` escapes the text and fills them with HTML the caller built (escaped);
  // `count` is a counted phrase in the language's plural rule (« 0 partenariat », “0 partnerships”).
  var W = {}, rules = null, numbers = null, byName = null;
  function speak(words) {
    W = words || {};
    var lang = W.lang || document.documentElement.lang || "fr";
    rules = new Intl.PluralRules(lang);
    numbers = new Intl.NumberFormat(lang);
    byName = new Intl.Collator(lang).compare;  // one collator for every sort, in the edition's order
  }
  function fill(text, values, escape) {
    return String(text == null ? "" : text).replace(/\{(\w+)\}/g, function (m, k) {
      return values && Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : (escape ? esc(m) : m);
    });
  }
  function say(key, values) { return fill(W[key], values, false); }
  function sayHtml(key, values) { return fill(esc(W[key]), values, true); }
  function count(key, n) {
    var forms = W[key] || {};
    return String(forms[rules.select(n)] || forms.other || "").replace("{n}", numbers.format(n));
  }

  // A map's records, named once (the wire format above).
  function decode(D) {
    return {
      markers: D.m.map(function (r) {
        return {lat: r[0], lon: r[1], kind: r[2], label: typeof r[3] === "string" ? r[3] : "",
                collectivities: Array.isArray(r[3]) ? r[3] : [], country: r[4], type: r[5] || 0, unnamed: r[5] || 0};
      }),
      links: D.l.map(function (r) {
        return {seat: r[0], partner: r[1], collectivity: r[2], location: r[3], themes: r[4],
                parts: r[5].map(function (x) { return {number: x[0], nature: x[1], since: x[2]}; })};
      }),
      collectivities: D.c.map(function (r) { return {name: r[0], url: r[1], type: r[2]}; }),
      countries: Object.keys(D.p).reduce(function (o, iso) { o[iso] = {name: D.p[iso][0], url: D.p[iso][1]}; return o; }, {}),
      types: D.types.map(function (r) { return {key: r[0], label: r[1], color: r[2]}; }),
      themes: (D.themes || []).map(function (r) { return {key: r[0], label: r[1]}; }),
      origin: D.flows ? {name: D.flows.origin[0], lat: D.flows.origin[1], lon: D.flows.origin[2]} : null
    };
  }

  // The world map's records, named once.
  function decodeWorld(D) {
    var byCountry = {};
    Object.keys(D.byCountry).forEach(function (iso) {
      var r = D.byCountry[iso];
      byCountry[iso] = {name: r[0], partnerships: r[1], url: r[2], collectivities: r[3]};
    });
    return {byCountry: byCountry, classes: D.classes.map(function (r) { return {low: r[0], high: r[1], color: r[2]}; })};
  }

  function legendItem(r) { return {symbol: r[0], color: r[1], label: r[2]}; }

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

  // The country outlines (assets/atlas/pays.js, written by maps/assets.py: world scale, integer
  // steps of 1/q degree), loaded once and only when a map draws countries, by a script element (it
  // also loads from file://, where fetch does not). {q, pays: {iso: [polygon [ring [x0, y0, dx, dy…]…]…]}}
  // becomes GeoJSON features {properties: {iso}}.
  var shapes = null, waiting = null;
  function decodeShapes(raw) {
    var q = raw.q, features = [];
    Object.keys(raw.pays).forEach(function (iso) {
      var polygons = raw.pays[iso].map(function (rings) {
        return rings.map(function (r) {
          var x = 0, y = 0, ring = [];
          for (var k = 0; k + 1 < r.length; k += 2) { x += r[k]; y += r[k + 1]; ring.push([x / q, y / q]); }
          ring.push(ring[0]);
          return ring;
        });
      });
      features.push({type: "Feature", properties: {iso: iso}, geometry: {type: "MultiPolygon", coordinates: polygons}});
    });
    return {type: "FeatureCollection", features: features};
  }
  function withShapes(src, then) {
    if (shapes) { then(shapes); return; }
    if (waiting) { waiting.push(then); return; }
    waiting = [then];
    var script = document.createElement("script");
    function done() {
      var raw = window.atlasPays;
      shapes = raw && raw.pays ? decodeShapes(raw) : {type: "FeatureCollection", features: []};
      var calls = waiting;
      waiting = null;
      calls.forEach(function (f) { f(shapes); });
    }
    script.onload = done;
    script.onerror = done;  // no outlines: the map still draws what it can
    script.async = true;
    script.src = src;
    document.head.appendChild(script);
  }

  // Features added a few at a time, the page's main thread given back between slices (~8 ms each):
  // drawing 235 countries at once would hold a phone's page for a few hundred milliseconds.
  function addInSlices(layer, features, done) {
    var k = 0;
    (function slice() {
      var t0 = Date.now();
      while (k < features.length && (Date.now() - t0 < 8)) layer.addData(features[k++]);
      if (k < features.length) setTimeout(slice, 0); else if (done) done();
    })();
  }

  // Country outlines in a pane under the tiles: drawn (once) when the map needs them, i.e. when its
  // tiles fail (blocked, offline) or the reader chooses the map without them.
  function baseShapes(map, K, src) {
    map.createPane("atlasFond").style.zIndex = 150;
    map.getContainer().style.background = K.sea;
    var asked = false;
    return function (done) {
      if (asked || !src) { if (done) done(); return; }
      asked = true;
      withShapes(src, function (fc) {
        var layer = L.geoJSON(null, {
          pane: "atlasFond", interactive: false,
          style: {color: K.border, weight: 0.8, fillColor: K.land, fillOpacity: 1, className: "atlas-fond"}
        }).addTo(map);
        addInSlices(layer, fc.features, done);
      });
    };
  }

  // The legend's symbols (maps/legend.py, Symbol), one renderer each, as images.py draws them.
  var SYMBOLS = {
    puce: function (c) { return '<span class="atlas-puce" style="background:' + c + '"></span>'; },
    "case": function (c) { return '<span class="atlas-case" style="background:' + c + '"></span>'; },
    approx: function (c) { return '<span class="atlas-trait atlas-trait-approx" style="border-color:' + c + '"></span>'; },
    pays: function (c) {
      return '<span class="atlas-trait atlas-trait-pays" style="border-color:' + c + '"></span>' +
             '<span class="atlas-puce atlas-puce-pays" style="border-color:' + c + '"></span>';
    },
    flux: function (c) { return '<span class="atlas-trait atlas-trait-flux" style="border-color:' + c + '"></span>'; },
    aucun: function () { return ""; }
  };

  // The legend, from the map's data ([symbol, colour, label] items; the palette comes from Python).
  function legendHtml(legend) {
    var h = legend.title ? "<strong>" + esc(legend.title) + "</strong>" : "";
    h += "<ul>";
    legend.items.map(legendItem).forEach(function (item) {
      var draw = Object.prototype.hasOwnProperty.call(SYMBOLS, item.symbol) ? SYMBOLS[item.symbol] : SYMBOLS.aucun;
      h += "<li>" + draw(colour(item.color)) + esc(item.label) + "</li>";
    });
    return h + "</ul>";
  }

  function choropleth(map, D, root, fc) {
    var n = 0, K = D.colors, W = decodeWorld(D), classes = W.classes;
    function country(iso) { return W.byCountry[iso]; }
    // Countries take the keyboard focus from the most partnerships to the fewest (not in ISO order).
    var features = fc.features.filter(function (f) { return !!W.byCountry[f.properties.iso]; });
    features.sort(function (x, y) {
      var a = country(x.properties.iso), b = country(y.properties.iso);
      return b.partnerships - a.partnerships || byName(a.name, b.name);
    });
    var layer = L.geoJSON({type: "FeatureCollection", features: features}, {
      style: function (f) {
        var c = country(f.properties.iso), i = 0;
        while (i < classes.length - 1 && c.partnerships > classes[i].high) i++;
        return {color: K.border, weight: 0.8, fillColor: classes[i].color, fillOpacity: 0.9, className: "atlas-pays"};
      },
      onEachFeature: function (f, l) {
        var c = country(f.properties.iso), text = say("nameCount", {name: c.name, count: count("partnerships", c.partnerships)});
        n++;
        l.bindTooltip(esc(text), {sticky: true});
        l.bindPopup("<strong>" + a(root + c.url, c.name) + "</strong><br>" + esc(count("partnerships", c.partnerships)) +
                    " · " + esc(count("collectivities", c.collectivities)));
        focusable(map, l, text + ", " + count("collectivities", c.collectivities), function () { l.openPopup(); return l.getPopup(); });
      }
    }).addTo(map);
    return {layer: layer, count: n};
  }

  // Keyboard (WCAG 2.1.1): a feature takes the focus in the order it was added, says what it is,
  // shows its tooltip while focused, and opens its popup with Entrée or Espace (focus moves into it).
  function focusable(map, layer, label, open) {
    layer.on("add", function () {
      var el = layer.getElement && layer.getElement();
      if (!el) return;
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
      el.setAttribute("aria-label", label);
      el.addEventListener("focus", function () { if (layer.getTooltip && layer.getTooltip()) layer.openTooltip(); });
      el.addEventListener("blur", function () { if (layer.getTooltip && layer.getTooltip() && !layer.getTooltip().options.permanent) layer.closeTooltip(); });
      el.addEventListener("keydown", function (e) {
        if (e.key !== "Enter" && e.key !== " ") return;
        e.preventDefault();
        var popup = open();
        var first = popup && popup.getElement() && popup.getElement().querySelector(".leaflet-popup-content a, .leaflet-popup-content button");
        if (first) first.focus();
        map.once("popupclose", function () { el.focus(); });
      });
    });
  }

  function at(latlng) { return latlng.lat !== undefined ? latlng : L.latLng(latlng[0], latlng[1]); }

  // A flow's path: the quadratic Bézier of images.curve (same bend, same design as the PNG).
  function curve(lat0, lon0, lat1, lon1) {
    var dx = lon1 - lon0, dy = lat1 - lat0, cx = (lon0 + lon1) / 2 - dy * 0.18, cy = (lat0 + lat1) / 2 + dx * 0.18, out = [];
    for (var k = 0; k <= 24; k++) {
      var t = k / 24, u = 1 - t;
      out.push([u * u * lat0 + 2 * u * t * cy + t * t * lat1, u * u * lon0 + 2 * u * t * cx + t * t * lon1]);
    }
    return out;
  }

  // Labels of the biggest flows that would overlap a bigger one's are hidden (they stay in tooltips).
  // A name written on the map beside a point, on its right (or left) side. Not a Leaflet tooltip:
  // a tooltip measures itself each time it is placed (a layout per name, at each zoom); this box
  // is placed by CSS (carte.css, .atlas-etiquette), its text centred on the point's height.
  function label(latlng, html, className, left) {
    return L.marker(latlng, {
      pane: "tooltipPane", interactive: false, keyboard: false,
      icon: L.divIcon({className: "atlas-etiquette " + className + (left ? " atlas-a-gauche" : ""), html: "<span>" + html + "</span>", iconSize: null})
    });
  }

  // All shown, all measured, then the hidden ones hidden: one layout, not one per label. A name that
  // would pass the map's edge, or cover a name already placed, goes to the other side of its point
  // (6 px each side) if it fits there; otherwise it is hidden (it stays in the point's popup).
  function declutter(labels, map) {
    var els = labels.map(function (t) { return t.getElement(); }).filter(Boolean), placed = [], flipped = [];
    els.forEach(function (el) { el.style.visibility = ""; });
    var edge = map.getContainer().getBoundingClientRect();
    var boxes = els.map(function (el) { return el.firstChild.getBoundingClientRect(); });
    function fits(r) {
      return r.left >= edge.left && r.right <= edge.right &&
        !placed.some(function (p) { return r.left < p.right && p.left < r.right && r.top < p.bottom && p.top < r.bottom; });
    }
    var hidden = els.filter(function (el, k) {
      var r = boxes[k], w = r.right - r.left, left = el.classList.contains("atlas-a-gauche");
      var other = left ? {left: r.right + 12, right: r.right + w + 12, top: r.top, bottom: r.bottom}
                       : {left: r.left - w - 12, right: r.left - 12, top: r.top, bottom: r.bottom};
      if (fits(r)) { placed.push(r); return false; }
      if (fits(other)) { placed.push(other); flipped.push(el); return false; }
      return true;
    });
    flipped.forEach(function (el) { el.classList.toggle("atlas-a-gauche"); });
    hidden.forEach(function (el) { el.style.visibility = "hidden"; });
  }

  function links(map, D, root) {
    var R = decode(D), M = R.markers, Lk = R.links, C = R.collectivities, P = R.countries, T = R.types, TH = R.themes;
    var F = D.flows, K = D.colors, KIND = D.kinds, LOC = D.locations;
    var typesOn = T.map(function () { return true; }), theme = -1, country = "";
    function seatPopup(i) {
      var names = {}, html = [];
      Lk.forEach(function (l) { if (l.seat === i) names[l.collectivity] = true; });
      M[i].collectivities.forEach(function (ci) { names[ci] = true; });
      Object.keys(names).forEach(function (ci) {
        var n = 0, c = C[ci];
        Lk.forEach(function (l) { if (l.collectivity === +ci) n += l.parts.length; });
        html.push("<strong>" + a(root + c.url, c.name) + "</strong> (" + esc(T[c.type].label) + ")" +
                  (n ? "<br>" + esc(count("onThisMap", n)) : ""));
      });
      return html.join("<br>");
    }
    function partnerPopup(i) {
      var m = M[i], p = P[m.country], who = {}, list = [];
      Lk.forEach(function (l) { if (l.partner === i) who[l.collectivity] = true; });
      Object.keys(who).forEach(function (ci) { list.push(a(root + C[ci].url, C[ci].name)); });
      var head = m.kind === KIND.COUNTRY ? countryPoint(m, a(root + p.url, p.name))
        : "<strong>" + esc(m.label) + "</strong> (" + a(root + p.url, p.name) + ")" +
          (m.kind === KIND.APPROX ? "<br><em>" + esc(say("approximate")) + "</em>" : "");
      return head + (list.length ? "<br>" + sayHtml("partnerOf", {list: list.join(", ")}) : "");
    }
    // A point at a country's centre: partners the source does not name (a count) and named
    // partners whose position is unknown (by name).
    function countryPoint(m, country) {
      var unnamed = m.label ? count("unnamedPartners", m.unnamed) : (m.unnamed > 1 ? count("unnamedPartners", m.unnamed) : say("unnamedPartner"));
      var who = !m.label ? esc(unnamed) : (m.unnamed ? sayHtml("and", {first: esc(m.label), second: esc(unnamed)}) : esc(m.label));
      return "<strong>" + who + "</strong> — " + country + "<br><em>" +
        esc(say(m.label ? "countryPointUnknown" : "countryPointUnnamed")) + "</em>";
    }
    function countryWho(m) {  // plain text
      if (!m.label) return say("whoUnnamed");
      return m.unnamed ? say("whoAtCentre") : say("whoNoPosition", {name: m.label});
    }
    function other(l) {
      var m = M[l.partner], p = P[m.country];
      return m.kind === KIND.COUNTRY ? countryWho(m) + " (" + p.name + ")" : m.label + " (" + p.name + ")";
    }
    function linkPopup(i) {
      var l = Lk[i], c = C[l.collectivity], m = M[l.partner], p = P[m.country];
      var who = m.kind === KIND.COUNTRY ? esc(countryWho(m)) + " (" + a(root + p.url, p.name) + ")"
                                         : esc(m.label) + " (" + a(root + p.url, p.name) + ")";
      var parts = l.parts.map(function (x) {
        return a(root + c.url + "#partenariat-" + x.number, D.natures[x.nature]) + (x.since ? " " + esc(say("since", {year: x.since})) : "");
      });
      return "<strong>" + a(root + c.url, c.name) + "</strong> ↔ " + who + "<br>" + parts.join("<br>");
    }
    function openPopup(latlng, html) { return L.popup().setLatLng(at(latlng)).setContent(html).openOn(map); }
    function onClick(popup) {
      return function (e) { openPopup(e.latlng, popup(e.layer.feature.properties.i)); };
    }
    var lineStyle = function (f) {
      var l = Lk[f.properties.i], t = T[C[l.collectivity].type];
      if (l.location === LOC.COUNTRY) return {color: K.country, weight: 1.5, opacity: 0.8, dashArray: "6 6", className: "atlas-lien atlas-lien-pays"};
      return {color: t.color, weight: D.dense ? 1.5 : 2, opacity: D.opacity || 0.85, dashArray: l.location === LOC.APPROX ? "2 5" : null,
              className: "atlas-lien" + (l.location === LOC.APPROX ? " atlas-lien-approx" : "")};
    };
    var k = D.dense ? 0.6 : 1;
    var pointStyle = function (f, latlng) {
      var m = M[f.properties.i];
      if (m.kind === KIND.SEAT) return L.circleMarker(latlng, {radius: 5 * k, color: K.border, weight: 1.5, fillColor: T[m.type].color, fillOpacity: 1, className: "atlas-marqueur atlas-siege"});
      if (m.kind === KIND.COUNTRY) return L.circleMarker(latlng, {radius: 6 * k, color: K.country, weight: 1.5, dashArray: "3 3", fillColor: K.border, fillOpacity: 0.7, className: "atlas-marqueur atlas-point-pays"});
      return L.circleMarker(latlng, {radius: 4 * k, color: K.border, weight: 1, fillColor: K.partner, fillOpacity: 1, className: "atlas-marqueur atlas-partenaire" + (m.kind === KIND.APPROX ? " atlas-approx" : "")});
    };
    // Every link takes the keyboard focus, in the order of the collectivités' names, then partners'.
    var lineLayer = L.geoJSON(null, {
      style: lineStyle,
      onEachFeature: function (f, layer) {
        var l = Lk[f.properties.i];
        focusable(map, layer, say("linkName", {collectivity: C[l.collectivity].name, partner: other(l), count: count("partnerships", l.parts.length)}),
                  function () { return openPopup(layer.getCenter(), linkPopup(f.properties.i)); });
      }
    }).on("click", onClick(linkPopup)).addTo(map);
    var partnerLayer = L.geoJSON(null, {pointToLayer: pointStyle}).on("click", onClick(partnerPopup)).addTo(map);
    var seatLayer = L.geoJSON(null, {pointToLayer: pointStyle}).on("click", onClick(seatPopup)).addTo(map);
    var flowLayer = L.layerGroup().addTo(map), labels = [];

    function selected(l) {
      return typesOn[C[l.collectivity].type] && (theme < 0 || l.themes.indexOf(theme) >= 0) && (!country || M[l.partner].country === country);
    }
    function flowMode() { return !!F && !country && map.getZoom() < F.zoom; }

    function drawLinks() {
      var used = new Uint8Array(M.length), lines = [], nl = 0, np = 0;
      (D.fixed || []).forEach(function (i) { used[i] = 1; });
      Lk.forEach(function (l, i) {
        if (!selected(l)) return;
        used[l.partner] = 1;
        np += l.parts.length;
        if (l.seat < 0) return;  // collectivité without a known seat: its partner is shown, no line
        used[l.seat] = 1;
        var s = M[l.seat], p = M[l.partner];
        lines.push({type: "Feature", properties: {i: i}, geometry: {type: "LineString", coordinates: [[s.lon, s.lat], [p.lon, p.lat]]}});
        nl++;
      });
      var name = function (f) { var l = Lk[f.properties.i]; return C[l.collectivity].name + "\u0000" + other(l); };
      lines.sort(function (x, y) { return byName(name(x), name(y)); });
      var seats = [], partners = [], nm = 0;
      for (var i = 0; i < M.length; i++) {
        if (!used[i]) continue;
        nm++;
        var f = {type: "Feature", properties: {i: i}, geometry: {type: "Point", coordinates: [M[i].lon, M[i].lat]}};
        (M[i].kind === KIND.SEAT ? seats : partners).push(f);
      }
      lineLayer.addData({type: "FeatureCollection", features: lines});
      partnerLayer.addData({type: "FeatureCollection", features: partners});
      seatLayer.addData({type: "FeatureCollection", features: seats});
      // Named partners carry their name (without tiles, nothing else names the places), if not too many;
      // the map's own collectivité (a collectivité's page) carries its name too: where the lines start.
      labels = [];
      (D.fixed || []).forEach(function (i) {
        var m = M[i], names = m.collectivities.map(function (ci) { return C[ci].name; }).join(" / ");
        if (!names) return;
        var t = label([m.lat, m.lon], esc(names), "atlas-etiquette-depart", true);
        flowLayer.addLayer(t);
        labels.push(t);
      });
      var named = partners.filter(function (f) { return M[f.properties.i].kind !== KIND.COUNTRY; });
      if (named.length <= 80) {
        named.forEach(function (f) {
          var m = M[f.properties.i];
          var t = label([m.lat, m.lon], esc(m.label), "atlas-etiquette-lieu");
          flowLayer.addLayer(t);
          labels.push(t);
        });
        declutter(labels, map);
      }
      return {links: nl, markers: nm, flows: 0, partnerships: np, mode: "liens"};
    }

    // The world view: one curved line per partner country, width by number of partnerships.
    function drawFlows() {
      var acc = {}, list = [], total = 0;
      var o = R.origin;
      Lk.forEach(function (l) {
        if (!selected(l)) return;
        var m = M[l.partner], code = m.country, n = l.parts.length, f = acc[code];
        if (!f) { f = acc[code] = {code: code, n: 0, lat: 0, lon: 0, c: {}, nc: 0}; list.push(f); }
        f.n += n; f.lat += m.lat * n; f.lon += m.lon * n;
        if (!f.c[l.collectivity]) { f.c[l.collectivity] = 1; f.nc++; }
        total += n;
      });
      list.sort(function (x, y) { return y.n - x.n || byName(P[x.code].name, P[y.code].name); });
      var top = list.length ? list[0].n : 1;
      labels = [];
      list.forEach(function (f, rank) {
        var p = P[f.code], end = [f.lat / f.n, f.lon / f.n];
        var text = say("flowName", {origin: o.name, country: p.name, partnerships: count("partnerships", f.n), collectivities: count("collectivities", f.nc)});
        var line = L.polyline(curve(o.lat, o.lon, end[0], end[1]), {
          color: K.flow, weight: 1.5 + 9 * Math.sqrt(f.n / top), opacity: 0.75, lineCap: "round", className: "atlas-flux"});
        line.bindTooltip(esc(text), {sticky: true});
        var html = function () {
          return "<strong>" + esc(o.name) + " → " + a(root + p.url, p.name) + "</strong><br>" +
            esc(say("flowPopup", {partnerships: count("partnerships", f.n), collectivities: count("collectivities", f.nc)})) +
            '<br><button type="button" class="atlas-voir-liens" data-pays="' + esc(f.code) + '">' + esc(say("showLinks")) + "</button>";
        };
        line.on("click", function (e) { openPopup(e.latlng, html()); });
        focusable(map, line, text, function () { return openPopup(end, html()); });
        flowLayer.addLayer(line);
        flowLayer.addLayer(L.circleMarker(end, {radius: 3.5, color: K.border, weight: 1, fillColor: K.flow, fillOpacity: 1, interactive: false}));
        if (rank < F.labelled) {
          var t = label(end, esc(p.name) + "&nbsp;" + f.n, "atlas-etiquette-flux");
          flowLayer.addLayer(t);
          labels.push(t);
        }
      });
      var origin = L.circleMarker([o.lat, o.lon], {radius: 7, color: K.border, weight: 2, fillColor: K.origin, fillOpacity: 1, className: "atlas-origine"});
      origin.bindTooltip(esc(say("nameCount", {name: o.name, count: count("partnerships", total)})));
      flowLayer.addLayer(origin);
      declutter(labels, map);
      return {links: 0, markers: 0, flows: list.length, partnerships: total, mode: "flux"};
    }

    function draw() {
      lineLayer.clearLayers(); partnerLayer.clearLayers(); seatLayer.clearLayers(); flowLayer.clearLayers();
      return flowMode() ? drawFlows() : drawLinks();
    }

    var api = {draw: draw, mode: function () { return flowMode() ? "flux" : "liens"; }};
    map.on("zoomend", function () { declutter(labels, map); });
    if (D.filters) {
      var html = "<details open><summary>" + esc(say("filter")) + '</summary><form class="atlas-filtre">';
      if (F) {
        var counts = {};
        Lk.forEach(function (l) { var c = M[l.partner].country; counts[c] = (counts[c] || 0) + l.parts.length; });
        var codes = Object.keys(counts).sort(function (x, y) { return byName(P[x].name, P[y].name); });
        html += '<label for="atlas-pays">' + esc(say("country")) + '</label><select id="atlas-pays" name="pays"><option value="">' + esc(say("allCountries")) + "</option>";
        codes.forEach(function (c) { html += '<option value="' + esc(c) + '">' + esc(P[c].name) + " (" + counts[c] + ")</option>"; });
        html += "</select>";
      }
      html += "<fieldset><legend>" + esc(say("type")) + "</legend>";
      T.forEach(function (t, k) {
        if (!D.typesPresents[k]) return;
        html += '<label><input type="checkbox" name="type" value="' + k + '" checked> <span class="atlas-puce" style="background:' + colour(t.color) + '"></span>' + esc(t.label) + "</label>";
      });
      html += '</fieldset><label for="atlas-thematique">' + esc(say("theme")) + '</label><select id="atlas-thematique" name="thematique"><option value="-1">' +
              esc(say("allThemes")) + "</option>";
      TH.forEach(function (t, k) { html += '<option value="' + k + '">' + esc(t.label) + "</option>"; });
      html += '</select><output name="compte" aria-live="polite"></output></form></details>';
      var box = control(map, "topright", "atlas-filtres", html), form = box.querySelector("form");
      var size = map.getSize();
      if (size.y < 560 || size.x < 760) box.querySelector("details").removeAttribute("open");
      api.form = form;
      api.onchange = function () {
        Array.prototype.forEach.call(form.querySelectorAll('input[name="type"]'), function (c) { typesOn[+c.value] = c.checked; });
        theme = +form.elements.thematique.value;
        var chosen = form.elements.pays ? form.elements.pays.value : "";
        var moved = chosen !== country;
        country = chosen;
        return moved;
      };
      // A chosen country: frame its links (and the seats they leave from).
      api.frame = function () {
        if (!country) { if (D.bounds) map.fitBounds(D.bounds); return; }
        var pts = [];
        Lk.forEach(function (l) {
          if (!selected(l)) return;
          pts.push([M[l.partner].lat, M[l.partner].lon]);
          if (l.seat >= 0) pts.push([M[l.seat].lat, M[l.seat].lon]);
        });
        if (pts.length) map.fitBounds(pts, {padding: [40, 40], maxZoom: 7});
      };
    }
    return api;
  }

  // Leaflet speaks English: its controls get the edition's names (what a screen reader says, what a tooltip shows).
  function namedControls(map) {
    if (map.zoomControl) map.removeControl(map.zoomControl);
    map.zoomControl = L.control.zoom({zoomInTitle: say("zoomIn"), zoomOutTitle: say("zoomOut")}).addTo(map);
  }

  // A short hint over the map, shown for a moment (screen readers have the keyboard, not this).
  function hintOver(el, className, text) {
    var p = document.createElement("p"), timer = null;
    p.className = "atlas-indice" + (className ? " " + className : "");
    p.setAttribute("aria-hidden", "true");
    p.textContent = text;
    el.appendChild(p);
    return {
      show: function () {
        p.classList.add("atlas-visible");
        clearTimeout(timer);
        timer = setTimeout(function () { p.classList.remove("atlas-visible"); }, 1500);
      },
      hide: function () { p.classList.remove("atlas-visible"); }
    };
  }

  // A map inside a page must not trap the wheel: the page scrolls until the reader clicks the map
  // or reaches it with the keyboard; Ctrl + molette zooms at once; a short hint says so.
  function wheelWaitsForTheReader(map, el) {
    map.scrollWheelZoom.disable();
    var hint = hintOver(el, "", say("wheelHint"));
    function on() { map.scrollWheelZoom.enable(); hint.hide(); }
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
      hint.show();
    }, {passive: false});
  }

  // Same on a touch screen: one finger scrolls the page (the map lets it through: with dragging off,
  // Leaflet's container allows pan-x pan-y), two fingers move and zoom the map; a short hint says so.
  function touchWaitsForTwoFingers(map, el) {
    if (!("ontouchstart" in window) && !(navigator.maxTouchPoints > 0)) return;
    map.dragging.disable();
    var hint = hintOver(el, "atlas-indice-doigts", say("touchHint"));
    el.addEventListener("touchstart", function (e) {
      if (e.touches.length >= 2) {
        map.dragging.enable();
        hint.hide();
        return;
      }
      map.dragging.disable();
      hint.show();
    }, {passive: true});
    el.addEventListener("touchend", function (e) { if (e.touches.length === 0) map.dragging.disable(); }, {passive: true});
  }

  // The map's view, set before anything is drawn: layers are drawn once, at their zoom, and the
  // tiles asked for are that view's (the page gives the map no view of its own).
  function frame(map, D, start) {
    if (D.bounds) map.fitBounds(D.bounds, {paddingTopLeft: [50, 50], paddingBottomRight: [40, 40], maxZoom: D.maxZoom || 6, animate: false});
    else map.setView(start.center, start.zoom);
  }

  window.atlasCarte = function (map, tiles, D, start) {
    var root = D.root || "../", el = map.getContainer();
    speak(D.textes);
    map.invalidateSize(false);  // the frame's title bar may have been hidden since Leaflet measured (#dans-l-atlas)
    frame(map, D, start || {center: [25, 10], zoom: 2});
    var state = window.atlasMap = {id: D.id, links: D.links || 0, markers: D.markers || 0, countries: D.countries || 0,
                                   drawn: {links: 0, markers: 0, countries: 0, flows: 0, partnerships: 0, mode: ""}};
    Object.defineProperty(state, "leaflet", {value: map, enumerable: false});  // for tests and the curious
    function publish(drawn) {
      state.drawn = drawn;
      el.setAttribute("data-liens", drawn.links);
      el.setAttribute("data-marqueurs", drawn.markers);
      el.setAttribute("data-pays", drawn.countries);
      el.setAttribute("data-flux", drawn.flows || 0);
    }
    var legendBox = null;
    function showLegend(legend) {
      if (!legend || !legend.items.length) return;
      if (!legendBox) {
        legendBox = control(map, D.filters ? "bottomleft" : "topright", "atlas-legende", "<details open><summary>" + esc(say("legend")) + "</summary><div></div></details>");
        // open wherever it leaves room for the map (a page's 30rem frame included); folded on a phone
        if (el.clientHeight < 380 || el.clientWidth < 520) legendBox.querySelector("details").removeAttribute("open");
      }
      legendBox.querySelector("details > div").innerHTML = legendHtml(legend);
    }
    var fullPage = !framed;
    // Échap closes a popup wherever the focus is in the map (Leaflet listens only while its container has it).
    el.addEventListener("keydown", function (e) { if (e.key === "Escape") map.closePopup(); });
    namedControls(map);
    if (!fullPage) { wheelWaitsForTheReader(map, el); touchWaitsForTwoFingers(map, el); }
    var outlines = baseShapes(map, D.colors, D.shapes);
    var waitFor = null;  // the world map is ready once its countries are drawn
    if (D.type === "choroplethe") {
      waitFor = function (ready) {
        withShapes(D.shapes, function (fc) {
          var ch = choropleth(map, D, root, fc);
          publish({links: 0, markers: 0, countries: ch.count, flows: 0, partnerships: 0, mode: "pays"});
          showLegend(D.legend);
          outlines(ready);  // the other countries, under the coloured ones
        });
      };
    } else {
      var api = links(map, D, root);
      var redraw = function () {
        var r = api.draw();
        r.countries = 0;
        publish(r);
        showLegend(r.mode === "flux" ? D.flows.legend : D.legend);
        // the counts say how the drawing relates to the page's figures (a line can carry several partnerships)
        if (api.form) api.form.elements.compte.value = r.mode === "flux"
          ? say("flowCount", {partnerships: count("partnerships", r.partnerships), countries: count("countries", r.flows)})
          : count("shownLinks", r.links) + " (" + count("partnerships", r.partnerships) + ")";
      };
      redraw();
      if (D.flows) map.on("zoomend", function () { if (api.mode() !== state.drawn.mode) redraw(); });
      if (api.form) {
        api.form.addEventListener("change", function () { var moved = api.onchange(); redraw(); if (moved) api.frame(); });
        api.form.addEventListener("submit", function (e) { e.preventDefault(); });
        // "Afficher ces liens" in a flow's popup: choose that country in the filter
        map.on("popupopen", function (e) {
          var button = e.popup.getElement().querySelector(".atlas-voir-liens");
          if (!button || !api.form.elements.pays) return;
          button.addEventListener("click", function () {
            api.form.elements.pays.value = button.getAttribute("data-pays");
            map.closePopup();
            api.form.dispatchEvent(new Event("change"));
            api.form.elements.pays.focus();
          });
        });
      }
    }
    var bases = {};
    if (tiles) {
      bases[esc(D.tiles || say("tiles"))] = tiles;  // Leaflet writes a layer's name as HTML
      bases[esc(say("noTiles"))] = L.layerGroup();
      var layers = L.control.layers(bases, null, {position: "bottomright"}).addTo(map);
      var toggle = layers.getContainer().querySelector(".leaflet-control-layers-toggle");
      if (toggle) { toggle.title = say("tiles"); toggle.setAttribute("aria-label", say("chooseTiles")); }
      // Outlines only when the map would be without them: tiles refused, or the reader's choice.
      tiles.once("tileerror", function () { outlines(); });
      map.on("baselayerchange", function (e) { if (e.layer !== tiles) outlines(); });
    } else {
      outlines();
    }
    var ready = function () { el.setAttribute("data-pret", "1"); };
    if (waitFor) waitFor(ready); else ready();
  };

  function fail(map, text, root, start) {
    var el = map.getContainer(), p = document.createElement("p");
    map.setView(start.center, start.zoom);
    p.className = "atlas-erreur";
    p.setAttribute("role", "alert");
    p.textContent = text + " ";
    var link = document.createElement("a");
    link.href = root;
    link.textContent = say("home");
    p.appendChild(link);
    el.appendChild(p);
    el.setAttribute("data-pret", "erreur");
  }

  // "Near": a quarter of a phone's screen away (200 px), time enough to draw it (a tenth of a second
  // on a mid-range phone) as the page scrolls towards it; a map below the first screen is not drawn
  // while the page loads. (Another site's frame: when it shows, margins apply to same-site frames only.)
  function whenNear(el, go) {
    if (!framed || !("IntersectionObserver" in window)) { go(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (!entries.some(function (e) { return e.isIntersecting; })) return;
      seen.disconnect();
      go();
    }, {rootMargin: "200px 0px"});
    seen.observe(el);
  }

  // The viewer page (cartes/?carte=<id>): one page for every map, fed by the map's JSON file.
  // `start`: the view of a map whose data has none (no place to frame), or that could not load.
  // The viewer page's own script (viewer.py: Leaflet's map, its tiles, then atlasVisionneuse) runs
  // through this, once the deferred scripts have run: at once full screen; framed in a page, when
  // the reader comes near the frame, not while the page around it loads (a phone's main thread goes
  // to the page first; a map never reached costs its scripts, not its drawing).
  window.atlasQuandProche = function (go) {
    // The title bar: full screen, or framed by another site (the atlas's own pages caption their maps).
    if (!sameSite) document.body.classList.add("atlas-avec-barre");
    if (!framed) document.body.classList.add("atlas-pleine-page");
    whenNear(document.querySelector(".atlas-carte"), go);
  };

  window.atlasVisionneuse = function (map, tiles, start) {
    var el = map.getContainer(), root = "../";
    var shared = JSON.parse(el.getAttribute("data-commun") || "{}");
    speak(shared.textes);  // the failures below speak the edition's language too
    var id = new URLSearchParams(window.location.search).get("carte") || "";
    // The language switch shows the same map in the other edition (viewer.py, alternates).
    document.querySelectorAll("a[data-meme-carte]").forEach(function (a) { a.search = window.location.search; });
    if (!/^[a-z0-9][a-z0-9_-]{0,150}$/.test(id)) {
      fail(map, say(id ? "noSuchMap" : "noMapAsked"), root, start);
      return;
    }
    fetch(id + ".json").then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (own) {
      // What all maps share comes once, with this page; each map's JSON brings the rest.
      var D = Object.assign(shared, own);
      document.title = D.title + " — " + el.getAttribute("data-site");
      document.querySelector(".atlas-titre").textContent = D.title;
      el.setAttribute("aria-label", D.label);
      var back = document.querySelector(".atlas-retour");
      back.href = (D.root || root) + (D.page || "");
      if (framed) {
        back.target = "_blank";
        back.rel = "noopener";
        back.textContent = say("backNewTab");
      }
      window.atlasCarte(map, tiles, D, start);
    }).catch(function () {
      fail(map, say("loadFailed"), root, start);
    });
  };
})();

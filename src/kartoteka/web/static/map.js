/* Kartoteka's maps: the camps on /map and a person's route on their page.
 *
 * Everything is served by this site: Leaflet and leaflet.markercluster (static/vendor), the Natural Earth basemap
 * (static/vendor/natural-earth/basemap.json) and the markers (the URL in the map element's data-source: the
 * gazetteer's /api/v1/camps?year=). No tile
 * server, no font, nothing from another host. The page works without this script: the same camps are in the table
 * below the map, the route's stops in the list under its map. Text from the store is set as text, never as HTML.
 */
(function () {
  "use strict";

  /* The basemap's layers (scripts/build_basemap.py): the sea is the container's background. */
  var SEA = "#cfe0ea";
  var BASEMAP_STYLES = {
    land: { stroke: false, fillColor: "#efeadb", fillOpacity: 1, className: "basemap-land" },
    lake: { stroke: false, fillColor: SEA, fillOpacity: 1, className: "basemap-lake" },
    river: { color: "#8fb5cc", weight: 1, fill: false, className: "basemap-river" },
    border: { color: "#7a6f5a", weight: 1, dashArray: "4 3", fill: false, className: "basemap-border" }
  };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (answer) {
      if (!answer.ok) { throw new Error(url + ": " + answer.status); }
      return answer.json();
    });
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) { made.className = className; }
    if (text !== undefined && text !== null) { made.textContent = String(text); }
    return made;
  }

  /* A map with the basemap drawn from the bundled GeoJSON: the sea is the container's background. */
  function baseMap(container) {
    /* The basemap covers the region of the camps only (scripts/build_basemap.py): the view stays inside it. */
    var region = L.latLngBounds([10, 15], [84, 192]);
    var map = L.map(container, {
      minZoom: 2, maxZoom: 10, zoomSnap: 0.5, maxBounds: region.pad(0.05), maxBoundsViscosity: 1.0
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(container.getAttribute("data-attribution") || "Natural Earth");
    map.setView([52, 110], 3);
    var ready = getJSON(container.getAttribute("data-basemap")).then(function (basemap) {
      L.geoJSON(basemap, {
        interactive: false,
        style: function (feature) {
          return BASEMAP_STYLES[feature.properties.layer] || BASEMAP_STYLES.land;
        }
      }).addTo(map);
    });
    return { map: map, ready: ready };
  }

  function formatNumber(value) {
    return Number(value || 0).toLocaleString(document.documentElement.lang || undefined);
  }

  function campName(camp) {
    var names = camp.names || {};
    return names[document.documentElement.lang] || names.en || names.ru || names.ja || String(camp.id);
  }

  function popup(camp, labels) {
    var box = element("div", "camp-popup");
    box.appendChild(element("strong", null, campName(camp)));
    ["en", "ru", "ja"].forEach(function (script) {
      var name = (camp.names || {})[script];
      if (name && name !== campName(camp)) {
        var line = element("div", null, name);
        line.lang = script;
        box.appendChild(line);
      }
    });
    if (labels.simulated) { box.appendChild(element("div", "popup-simulated", labels.simulated)); }
    box.appendChild(element("div", null, formatNumber(camp.held) + " " + labels.held));
    box.appendChild(element("div", null, formatNumber(camp.died) + " " + labels.died));
    if (camp.published) {
      var published = element("div", null, labels.published + ": " + camp.published + " ");
      if (camp.source_url && /^https?:\/\//i.test(camp.source_url)) { /* never a javascript: or data: link */
        var link = element("a", null, labels.source);
        link.href = camp.source_url;
        link.rel = "noopener noreferrer";
        published.appendChild(link);
      }
      box.appendChild(published);
    }
    if (camp.coordinate) {
      box.appendChild(element("div", "small", labels.coordinate + " " + camp.coordinate.source));
    }
    return box;
  }

  /* A marker's width in pixels, its area growing with the count: 16 px for none, 48 for the largest in view. */
  function markerSize(count, largest) {
    if (count <= 0 || largest <= 0) { return 16; }
    return Math.round(16 + 32 * Math.sqrt(count / largest));
  }

  function campIcon(camp, largest) {
    var count = Math.max(camp.held, camp.died);
    var size = markerSize(count, largest);
    var html = element("span", "camp-count", camp.kind === "burial_site" ? camp.died : camp.held);
    html.setAttribute("data-count", String(count));
    return L.divIcon({
      html: html, iconSize: [size, size],
      className: "camp-marker camp-marker-" + (camp.kind === "burial_site" ? "burial" : "camp")
    });
  }

  function campsMap(container) {
    var made = baseMap(container);
    var labels = {
      held: container.getAttribute("data-label-held"), died: container.getAttribute("data-label-died"),
      published: container.getAttribute("data-label-published"), source: container.getAttribute("data-label-source"),
      coordinate: container.getAttribute("data-label-coordinate"),
      cluster: container.getAttribute("data-label-cluster"), simulated: container.getAttribute("data-label-simulated")
    };
    var clusters = L.markerClusterGroup({
      maxClusterRadius: 40, showCoverageOnHover: false,
      iconCreateFunction: function (cluster) {
        var count = cluster.getChildCount();
        return L.divIcon({ html: element("span", null, count), className: "camp-cluster", iconSize: [34, 34] });
      }
    });
    getJSON(container.getAttribute("data-source")).then(function (data) {
      var bounds = [];
      /* Only the camps with a coordinate are drawn; the table lists the others ("no coordinate yet"). */
      var placed = data.camps.filter(function (camp) { return camp.coordinate; });
      var largest = placed.reduce(function (most, camp) { return Math.max(most, camp.held, camp.died); }, 0);
      placed.forEach(function (camp) {
        var at = [camp.coordinate.lat, camp.coordinate.lon];
        var marker = L.marker(at, {
          icon: campIcon(camp, largest), keyboard: true,
          title: campName(camp) + ": " + formatNumber(camp.held) + " " + labels.held + ", " +
            formatNumber(camp.died) + " " + labels.died
        });
        marker.bindPopup(popup(camp, labels));
        clusters.addLayer(marker);
        bounds.push(at);
      });
      clusters.on("animationend", labelClusters);
      made.map.on("zoomend", labelClusters);
      /* The view first, then the markers: no cluster animation runs while the page settles. */
      if (bounds.length) { made.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 6, animate: false }); }
      made.map.addLayer(clusters);
      labelClusters();
      container.setAttribute("data-markers", String(placed.length));
      return made.ready;
    }).then(function () {
      container.setAttribute("data-ready", "true");
    }).catch(function (error) {
      container.setAttribute("data-error", String(error));
    });

    /* A cluster icon says in words what it stands for (screen readers; the number alone says little). */
    function labelClusters() {
      var icons = container.querySelectorAll(".camp-cluster");
      for (var i = 0; i < icons.length; i += 1) {
        icons[i].setAttribute("title", icons[i].textContent + " " + labels.cluster);
      }
    }
  }

  function routeMap(container) {
    var made = baseMap(container);
    var list = container.parentNode.querySelector("ol.route");
    var stops = list ? list.querySelectorAll("li[data-lat]") : [];
    var line = [];
    for (var i = 0; i < stops.length; i += 1) {
      var at = [parseFloat(stops[i].getAttribute("data-lat")), parseFloat(stops[i].getAttribute("data-lon"))];
      line.push(at);
      var label = stops[i].getAttribute("data-label");
      L.marker(at, {
        icon: L.divIcon({ html: element("span", null, label), className: "route-stop", iconSize: [22, 22] }),
        title: stops[i].textContent.replace(/\s+/g, " ").trim(), keyboard: true
      }).addTo(made.map);
    }
    if (line.length > 1) {
      L.polyline(line, { color: "#0b4f9c", weight: 3, className: "route-line" }).addTo(made.map);
    }
    /* One stop alone is shown with its surroundings (zoom 4), several with all of them in view. */
    if (line.length) { made.map.fitBounds(line, { padding: [30, 30], maxZoom: line.length > 1 ? 6 : 4, animate: false }); }
    container.setAttribute("data-stops", String(line.length));
    made.ready.then(function () { container.setAttribute("data-ready", "true"); });
  }

  function start() {
    if (typeof L === "undefined") { return; }
    var camps = document.getElementById("camp-map");
    if (camps) { campsMap(camps); }
    var route = document.getElementById("route-map");
    if (route) { routeMap(route); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

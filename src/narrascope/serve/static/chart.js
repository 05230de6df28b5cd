/* narrascope line chart: a small SVG line chart, no dependencies.
 * <figure class="chart" data-src="/api/v1/..."> loads JSON from its own server and draws
 * payload.trend (or the payload itself): {periods: [...], series: [{name, values}]}.
 * Labels are set with textContent (never parsed as HTML); no inline styles. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var PALETTE = 10;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k])); }
    if (parent) parent.appendChild(e);
    return e;
  }

  /* Top of the y axis: 4 steps of 1, 2 or 5 times a power of ten (whole numbers, counts). */
  function niceMax(v) {
    var raw = Math.max(v, 1) / 4;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10], step = 10 * p;
    for (var i = 0; i < steps.length; i++) { if (steps[i] * p >= raw) { step = steps[i] * p; break; } }
    return Math.max(1, step) * 4;
  }

  function draw(fig, trend) {
    var plot = fig.querySelector(".chart-plot");
    plot.textContent = "";
    var periods = trend.periods || [];
    var series = trend.series || [];
    if (!periods.length || !series.length) {
      var p = document.createElement("p");
      p.className = "muted empty";
      p.textContent = "No dated articles to draw.";
      plot.appendChild(p);
      fig.setAttribute("data-state", "empty");
      return;
    }
    var W = Math.max(plot.clientWidth || 640, 320), H = parseInt(fig.getAttribute("data-height") || "260", 10);
    var m = {l: 44, r: 12, t: 10, b: 28};
    var iw = W - m.l - m.r, ih = H - m.t - m.b;
    var max = 0;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v > max) max = v; }); });
    max = niceMax(max);
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, width: W, height: H, "class": "linechart", role: "img"}, plot);
    el("title", {}, svg).textContent = fig.querySelector("figcaption") ? fig.querySelector("figcaption").textContent : "chart";
    var g = el("g", {transform: "translate(" + m.l + "," + m.t + ")"}, svg);
    var x = function (i) { return periods.length === 1 ? iw / 2 : (i * iw) / (periods.length - 1); };
    var y = function (v) { return ih - (v / max) * ih; };
    for (var t = 0; t <= 4; t++) {
      var v = (max * t) / 4, yy = y(v);
      el("line", {x1: 0, x2: iw, y1: yy, y2: yy, "class": "grid"}, g);
      el("text", {x: -6, y: yy + 4, "class": "tick", "text-anchor": "end"}, g).textContent = String(Math.round(v * 10) / 10);
    }
    // a date label is about 75 px wide; the first is anchored at its start: 120 px apart
    var every = Math.max(1, Math.ceil(periods.length / Math.max(2, Math.floor(iw / 120))));
    periods.forEach(function (p, i) {
      var last = i === periods.length - 1;
      // every `every`-th period, and the last one; none too close to the last
      if (!last && (i % every !== 0 || periods.length - 1 - i < every)) return;
      var anchor = periods.length > 1 && i === 0 ? "start" : (last && periods.length > 1 ? "end" : "middle");
      el("text", {x: x(i), y: ih + 18, "class": "tick", "text-anchor": anchor}, g).textContent = p;
    });
    // a series may name its colour class (roles: r-protagonist ...); else the palette
    function cls(s, si) { return /^r-[a-z-]+$/.test(s.cls || "") ? s.cls : "c" + (si % PALETTE); }
    series.forEach(function (s, si) {
      var d = s.values.map(function (v, i) { return (i ? "L" : "M") + x(i).toFixed(1) + "," + y(v).toFixed(1); }).join("");
      var path = el("path", {d: d, "class": "line " + cls(s, si), "data-series": si}, g);
      el("title", {}, path).textContent = s.name;
      s.values.forEach(function (v, i) {
        if (!v) return;
        var c = el("circle", {cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3, "class": "pt " + cls(s, si), "data-series": si}, g);
        el("title", {}, c).textContent = s.name + " · " + periods[i] + ": " + v;
      });
    });
    var legend = document.createElement("ul");
    legend.className = "legend";
    series.forEach(function (s, si) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "key " + cls(s, si);
      b.setAttribute("aria-pressed", "true");
      b.setAttribute("data-series", String(si));
      var sw = document.createElement("span");
      sw.className = "sw";
      b.appendChild(sw);
      b.appendChild(document.createTextNode(s.name + " (" + s.total + ")"));
      b.addEventListener("click", function () {
        var on = b.getAttribute("aria-pressed") !== "true";
        b.setAttribute("aria-pressed", on ? "true" : "false");
        svg.querySelectorAll('[data-series="' + si + '"]').forEach(function (n) { n.classList.toggle("off", !on); });
      });
      li.appendChild(b);
      legend.appendChild(li);
    });
    plot.appendChild(legend);
    if (trend.more) {
      var more = document.createElement("p");
      more.className = "muted small";
      more.textContent = "+ " + trend.more + " more (see the table)";
      plot.appendChild(more);
    }
    fig.setAttribute("data-state", "drawn");
  }

  function load(fig) {
    var src = fig.getAttribute("data-src");
    if (!src || src.charAt(0) !== "/" || src.charAt(1) === "/") return;  // same server only
    fetch(src, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
      .then(function (res) {
        if (!res.ok) throw new Error((res.j && res.j.error && res.j.error.message) || "error");
        draw(fig, res.j.trend || res.j);
      })
      .catch(function (e) {
        var plot = fig.querySelector(".chart-plot");
        plot.textContent = "";
        var p = document.createElement("p");
        p.className = "muted";
        p.textContent = "The chart could not be loaded: " + e.message;
        plot.appendChild(p);
        fig.setAttribute("data-state", "error");
      });
  }

  window.narrascopeChart = {draw: draw, load: load};
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("figure.chart[data-src]").forEach(load);
  });
})();

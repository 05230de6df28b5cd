/* narrascope dashboard behaviour: the article reader's highlights, layer toggles and
 * details; filter forms that drop empty fields from the URL.  No inline handlers. */
(function () {
  "use strict";

  function ids(el) { return (el.getAttribute("data-f") || "").split(" ").filter(Boolean); }

  function clearActive(root) {
    root.querySelectorAll(".active").forEach(function (x) { x.classList.remove("active"); });
  }

  function activate(fid, scroll) {
    var text = document.getElementById("text");
    if (!text) return;
    var first = null;
    text.querySelectorAll("mark").forEach(function (m) {
      if (ids(m).indexOf(fid) >= 0) { m.classList.add("active"); if (!first) first = m; }
    });
    var d = document.getElementById(fid);
    if (d) d.classList.add("active");
    if (scroll && first) first.scrollIntoView({block: "center", behavior: "smooth"});
  }

  function showMark(m) {
    var text = document.getElementById("text");
    clearActive(document);
    var list = ids(m);
    list.forEach(function (fid) { activate(fid, false); });
    m.classList.add("active");
    var first = null;
    list.forEach(function (fid) {
      var d = document.getElementById(fid);
      if (d && !d.closest(".layer-group").classList.contains("off")) {
        d.open = true;
        if (!first) first = d;
      }
    });
    var sel = document.getElementById("selection");
    if (sel) {
      sel.hidden = false;
      sel.textContent = "";
      var h = document.createElement("p");
      h.className = "small";
      h.textContent = (m.getAttribute("title") || "").split("\n").join(" · ");
      sel.appendChild(h);
    }
    if (first) first.scrollIntoView({block: "nearest", behavior: "smooth"});
    if (text) text.setAttribute("data-selected", list.join(" "));
  }

  function syncLayers(form) {
    var on = [];
    form.querySelectorAll("input[data-layer]").forEach(function (cb) {
      document.body.classList.toggle("hide-" + cb.getAttribute("data-layer"), !cb.checked);
      var g = document.querySelector('.layer-group[data-group="' + cb.getAttribute("data-layer") + '"]');
      if (g) g.classList.toggle("off", !cb.checked);
      if (cb.checked) on.push(cb.getAttribute("data-layer"));
    });
    if (window.history && window.history.replaceState) {
      var u = new URL(window.location.href);
      u.searchParams.delete("layer");
      u.searchParams.set("layers", on.join(","));
      window.history.replaceState(null, "", u.pathname + "?" + u.searchParams.toString());
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("layer-form");
    if (form) {
      form.querySelectorAll("input[data-layer]").forEach(function (cb) {
        cb.addEventListener("change", function () { syncLayers(form); });
      });
      form.querySelectorAll("input[data-layer]").forEach(function (cb) {
        var g = document.querySelector('.layer-group[data-group="' + cb.getAttribute("data-layer") + '"]');
        if (g) g.classList.toggle("off", !cb.checked);
      });
    }
    var text = document.getElementById("text");
    if (text) {
      text.addEventListener("click", function (e) {
        var m = e.target.closest("mark");
        if (m) showMark(m);
      });
      text.addEventListener("keydown", function (e) {
        if ((e.key === "Enter" || e.key === " ") && e.target.matches("mark")) {
          e.preventDefault();
          showMark(e.target);
        }
      });
    }
    document.querySelectorAll("details.finding").forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (d.open) { clearActive(document); activate(d.id, true); }
        else { d.classList.remove("active"); }
      });
    });
    document.querySelectorAll("button.jump").forEach(function (b) {
      b.addEventListener("click", function () {
        var start = b.getAttribute("data-start"), fid = b.getAttribute("data-find");
        var m = null;
        document.querySelectorAll('#text mark[data-s="' + start + '"]').forEach(function (x) {
          if (!m && ids(x).indexOf(fid) >= 0) m = x;
        });
        if (!m) {
          document.querySelectorAll("#text mark").forEach(function (x) {
            if (!m && ids(x).indexOf(fid) >= 0 && parseInt(x.getAttribute("data-s"), 10) >= parseInt(start, 10)) m = x;
          });
        }
        if (m) { clearActive(document); activate(fid, false); m.focus(); m.scrollIntoView({block: "center"}); }
      });
    });
    // filter forms: leave empty fields out of the URL, so shared links stay short
    document.querySelectorAll("form.filters, form.inline").forEach(function (f) {
      f.addEventListener("submit", function () {
        f.querySelectorAll("input, select").forEach(function (i) {
          if (!i.value) i.disabled = true;
        });
        window.setTimeout(function () {
          f.querySelectorAll("input, select").forEach(function (i) { i.disabled = false; });
        }, 0);
      });
    });
  });
})();

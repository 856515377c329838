// The city dashboard: ECharts over the figures the page carries, refreshed
// every minute; a click on a bar, slice or district opens the cases behind
// it. Tooltips are drawn on the canvas (richText), so nothing needs an
// inline style under the Content-Security-Policy.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("dash");
  if (!root || typeof echarts === "undefined") return;
  var data = JSON.parse(document.getElementById("dash-data").textContent);
  var charts = {};
  var locale = /^zh/i.test(document.documentElement.lang) ? "ZH" : "EN";
  var geoReady = false;
  // The map's width to its height per degree: cos of Xiamen's latitude
  // (about 0.91), as the intake page's map draws it, not ECharts' 0.75,
  // which squashed the districts sideways. Set from the outlines.
  var aspect = 0.91;
  // Links of a chart's points by index, where its data are plain numbers
  // (the daily line).
  var links = {};
  var laidOut = "";

  function chart(id) {
    if (!charts[id]) {
      // ECharts' own words in the page's language, not the browser's. Its
      // generated aria description stays off: it reads out data points
      // ("第0个系列…NaN"); each chart's container names it (aria-label).
      charts[id] = echarts.init(document.getElementById(id), null, { renderer: "canvas", locale: locale });
      charts[id].on("click", function (p) {
        var link = (p.data && p.data.link) || (links[id] && links[id][p.dataIndex]);
        if (link) window.location.href = link;
      });
    }
    return charts[id];
  }
  var tip = { trigger: "item", renderMode: "richText" };
  var grid = { left: 8, right: 16, top: 16, bottom: 8, containLabel: true };

  // The colour of the charts' words: light on the wall display's navy,
  // else the page's grey.
  function ink() { return document.body.classList.contains("wall") ? "#e6edf5" : "#4a5568"; }
  // scale is how much larger the charts' words are: on a wall display
  // taller than 1080 px (2560×1440) by as much, so that they read from
  // as far as at 1920×1080; elsewhere 1. fs scales a size in pixels.
  function scale() { return document.body.classList.contains("wall") ? Math.max(1, window.innerHeight / 1080) : 1; }
  function fs(n) { return Math.round(n * scale()); }
  function words() { return { color: ink(), fontSize: fs(12) }; }
  function axis(o) {
    o.axisLabel = Object.assign(words(), o.axisLabel || {});
    o.axisLine = { lineStyle: { color: ink() } };
    return o;
  }

  // shortNames names each category by its own name, with its parent's
  // where two share it: paths cut to the card's width all began alike
  // (城乡建设 / 住房保障…).
  function shortNames(names) {
    var parts = names.map(function (n) { return n.split(" / "); });
    var leaf = parts.map(function (p) { return p[p.length - 1]; });
    return parts.map(function (p, i) {
      var twice = leaf.filter(function (l) { return l === leaf[i]; }).length > 1;
      return twice && p.length > 1 ? p.slice(-2).join(" / ") : leaf[i];
    });
  }

  function bar(id, points, horizontal) {
    var names = points.map(function (p) { return p.name; });
    var shown = shortNames(names);
    // Every bar named (ECharts would leave out every other label when they
    // crowd), in a smaller type when there are many; the whole path is in
    // the tooltip.
    var cat = axis({ type: "category", data: names,
      axisLabel: { interval: 0, width: fs(160), overflow: "truncate", fontSize: fs(names.length > 12 ? 10 : 12),
        formatter: function (v, i) { return shown[i]; } } });
    var val = axis({ type: "value" });
    chart(id).setOption({
      tooltip: tip, grid: grid,
      xAxis: horizontal ? val : cat, yAxis: horizontal ? Object.assign({}, cat, { inverse: true }) : val,
      series: [{ type: "bar", data: points, itemStyle: { color: "#0b4f8a" } }]
    }, true);
  }

  // narrow reports whether the page is phone-wide (a desktop's three
  // columns make cards nearly as narrow as a phone's one).
  function narrow() { return window.innerWidth < 600; }

  // cramped reports whether a chart's box is too narrow for words beside
  // it: a phone's card, or a cell of the wall display at 1366×768.
  function cramped(id) { return document.getElementById(id).clientWidth < 360; }

  function pie(id, points) {
    var small = cramped(id), wall = document.body.classList.contains("wall");
    chart(id).setOption({
      tooltip: tip,
      // A narrow card: a smaller ring leaves the labels room, and a long
      // name wraps instead of being cut to "123…". In a narrow card (a
      // phone's) the names go under the ring, where they are not cut at
      // the card's edge: a line to scroll, or on the wall, where nobody
      // scrolls, all of them in the tall cell.
      legend: small ? { bottom: 0, type: wall ? "plain" : "scroll", textStyle: words(), itemWidth: fs(25), itemHeight: fs(14) } : { show: false },
      series: [{ type: "pie", radius: small ? ["24%", "48%"] : ["30%", "56%"], center: ["50%", small ? (wall ? "34%" : "42%") : "50%"],
        data: points, minShowLabelAngle: 3,
        label: small ? { show: false } : Object.assign({ formatter: "{b}\n{d}%", overflow: "break", width: fs(76), lineHeight: fs(14) }, words()),
        labelLine: { length: 6, length2: 8 }, labelLayout: { hideOverlap: true } }]
    }, true);
  }

  // The cases behind each indicator of the map: a rate's are the cases
  // or lawsuits it divides.
  var mapLinks = { cases: "cases_link", per10k: "cases_link", lawsuits_per10k: "lawsuits_link", overdue: "overdue_link" };

  function drawMap() {
    if (!geoReady) return;
    var key = document.getElementById("map-indicator").value;
    var values = data.districts.map(function (d) {
      return { name: d.name, value: d[key], link: d[mapLinks[key]] };
    });
    var max = Math.max.apply(null, values.map(function (v) { return v.value; }).concat([1]));
    chart("chart-map").setOption({
      tooltip: tip,
      // The legend in the sea to the south-east, clear of 集美 and 海沧 in
      // the west.
      // On a phone it lies along the foot of the card instead.
      visualMap: Object.assign({ min: 0, max: max, calculable: true, inRange: { color: ["#e3ecf7", "#0b4f8a"] },
        textStyle: words(), itemWidth: fs(20) }, narrow() ? { orient: "horizontal", left: "center", bottom: 0, itemHeight: 120 } : { right: 8, bottom: 8, itemHeight: fs(140) }),
      series: [{ type: "map", map: "xiamen", roam: true, aspectScale: aspect, data: values, name: data.labels.indicators[key],
        // Dark names with a white edge read on the darkest and the lightest fill.
        label: { show: true, color: "#1a202c", textBorderColor: "#fff", textBorderWidth: 3, fontSize: fs(12) },
        emphasis: { label: { show: true } } }]
    }, true);
  }

  function draw(d) {
    laidOut = layout();
    document.getElementById("dash-total").textContent = d.total;
    document.getElementById("dash-overdue").textContent = d.overdue;
    document.getElementById("dash-period").textContent = d.period;
    document.getElementById("link-total").href = d.total_link;
    document.getElementById("link-overdue").href = d.overdue_link;
    links["chart-days"] = d.days.map(function (p) { return p.link; });
    // Today is counted up to now: it is drawn apart — a dashed grey segment
    // to a hollow, labelled point — so that a day under way does not read
    // as a fall.
    var today = d.days.findIndex(function (p) { return p.so_far; });
    var series = [{ type: "line", smooth: true, areaStyle: { opacity: 0.15 }, itemStyle: { color: "#0b4f8a" },
      data: d.days.map(function (p, i) { return today < 0 || i < today ? p.value : null; }) }];
    if (today >= 0) {
      series.push({ type: "line", itemStyle: { color: "#718096" }, lineStyle: { type: "dashed" },
        data: d.days.map(function (p, i) {
          if (i === today) {
            return { value: p.value, symbol: "emptyCircle", symbolSize: 8,
              // Below the point and ending at it: clear of the dashed
              // segment that comes down to it, inside the chart's right edge.
              label: { show: true, position: "bottom", align: "right", distance: 8, formatter: d.labels.so_far, fontSize: fs(12),
                backgroundColor: "rgba(255,255,255,0.9)", padding: [2, 4] } };
          }
          return i === today - 1 ? p.value : null;
        }) });
    }
    chart("chart-days").setOption({
      grid: grid, series: series,
      tooltip: { trigger: "axis", renderMode: "richText", formatter: function (ps) {
        // One line a day: the day before today is in both series.
        var p = ps.filter(function (x) { return x.value != null; })[0];
        if (!p) { return ""; }
        return p.dataIndex === today ? d.labels.so_far.replace("{c}", p.value) : d.days[p.dataIndex].name + "  " + p.value;
      } },
      xAxis: axis({ type: "category", data: d.days.map(function (p) { return p.name.slice(5); }) }),
      yAxis: axis({ type: "value" })
    }, true);
    pie("chart-channels", d.channels || []);
    bar("chart-natures", d.natures || [], true);
    bar("chart-categories", d.categories || [], true);
    bar("chart-hot", d.hot || [], true);
    chart("chart-backlog").setOption({
      // A narrow card's legend takes two lines.
      tooltip: { trigger: "axis", renderMode: "richText" }, grid: Object.assign({}, grid, { top: fs(cramped("chart-backlog") ? 56 : 36) }),
      legend: { top: 0, data: [d.labels.backlog, d.labels.cleared], textStyle: words(), itemWidth: fs(25), itemHeight: fs(14) },
      // Days as MM-DD under the axis (the whole date in the tooltip): the
      // first and last labels no longer run off the card.
      xAxis: axis({ type: "category", data: (d.backlog || []).concat(d.cleared || []).map(function (p) { return p.name; })
        .filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(),
        axisLabel: { formatter: function (v) { return v.slice(5); }, hideOverlap: true } }),
      yAxis: axis({ type: "value" }),
      series: [
        { name: d.labels.backlog, type: "bar", data: (d.backlog || []).map(function (p) { return [p.name, p.value]; }), itemStyle: { color: "#c62828" } },
        { name: d.labels.cleared, type: "line", data: (d.cleared || []).map(function (p) { return [p.name, p.value]; }), itemStyle: { color: "#2f855a" } }
      ]
    }, true);
    drawMap();
  }

  fetch(root.dataset.geo, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      var lo = 90, hi = -90;
      (function walk(c) {
        if (typeof c[0] === "number") { lo = Math.min(lo, c[1]); hi = Math.max(hi, c[1]); return; }
        c.forEach(walk);
      })(geo.features.map(function (f) { return f.geometry.coordinates; }));
      if (lo <= hi) aspect = Math.cos((lo + hi) / 2 * Math.PI / 180);
      echarts.registerMap("xiamen", geo); geoReady = true; drawMap();
    });
  document.getElementById("map-indicator").addEventListener("change", drawMap);
  draw(data);

  // Refresh every minute.
  setInterval(function () {
    fetch(root.dataset.refresh, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) { data = d; draw(d); } })
      .catch(function () { /* offline for a moment: keep the last figures */ });
  }, 60000);

  // What the charts are laid out for (see narrow, cramped and scale).
  function layout() { return [narrow(), cramped("chart-channels"), cramped("chart-backlog"), scale()].join(); }

  // Resize at most once a frame, and only charts that are laid out: a
  // chart resized while its box has no size (the page hidden, or being
  // left) has no geometry to fit and the map would fail.
  var frame = 0;
  function resizeAll() {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(function () {
      // A page that turned phone-wide (or back), or a card that did, lays
      // its charts out anew; any other resize only fits them.
      if (layout() !== laidOut) draw(data);
      Object.keys(charts).forEach(function (k) {
        var el = charts[k].getDom();
        if (el.clientWidth > 0 && el.clientHeight > 0) charts[k].resize();
      });
    });
  }
  window.addEventListener("resize", resizeAll);
  // A chart's box can change without the window's (the wall display's
  // grid laid out, fonts loaded): fit it then too.
  if (typeof ResizeObserver !== "undefined") {
    var boxes = new ResizeObserver(resizeAll);
    document.querySelectorAll("#dash .chart").forEach(function (el) { boxes.observe(el); });
  }

  // Full screen for the wall display (大屏).
  function wall(on) {
    document.body.classList.toggle("wall", on);
    draw(data); // the words in the wall's colours, or back
    resizeAll();
  }
  if (root.hasAttribute("data-wall")) wall(true);
  document.querySelector("[data-fullscreen]").addEventListener("click", function () {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { wall(!document.body.classList.contains("wall")); });
    }
  });
  document.addEventListener("fullscreenchange", function () { wall(!!document.fullscreenElement); });
});

// pingan workbench: small enhancements over pages that work without them.
// No inline scripts (the Content-Security-Policy forbids them); everything is
// wired through data- attributes.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // A form refused on a long page (the case page's actions) comes back
  // open with the reasons said at the top: they move into the form, which
  // comes into view, so the reasons sit by the fields they name.
  var refused = document.querySelector("main > .flash.err");
  var openForm = document.querySelector("details.action[open]");
  if (refused && openForm) {
    var summary = openForm.querySelector("summary");
    openForm.insertBefore(refused, summary ? summary.nextSibling : openForm.firstChild);
    openForm.scrollIntoView({ block: "start" });
  }

  // Whether the problem was solved is the citizen's answer (回访): not
  // known of one the callback did not reach. Choosing that result takes
  // the question out of the form (the server refuses an answer then, so
  // the form without script says so after sending); any other result asks
  // it.
  document.querySelectorAll("fieldset[data-unknown-when]").forEach(function (set) {
    var form = set.closest("form");
    var result = form && form.querySelector("select[name=satisfaction]");
    if (!result) return;
    var radios = set.querySelectorAll("input[type=radio]");
    var sync = function () {
      var unknown = result.value === set.getAttribute("data-unknown-when");
      set.disabled = unknown;
      radios.forEach(function (r) {
        if (unknown) r.checked = false;
        r.required = !unknown;
      });
    };
    result.addEventListener("change", sync);
    sync();
  });

  // Buttons that need a second thought.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
    if (e.target.closest("[data-print]")) {
      window.print();
    }
    var back = e.target.closest("[data-back]");
    if (back && window.history.length > 1) {
      e.preventDefault();
      window.history.back();
    }
  });

  // A "select all" box ticks every box of its table.
  document.querySelectorAll("[data-check-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var table = all.closest("table");
      table.querySelectorAll("tbody input[type=checkbox]").forEach(function (c) {
        c.checked = all.checked;
      });
    });
  });

  // A search box that narrows a long <select>. An option matches by its
  // text or by its group's label (typing 信访 shows that family); a group
  // left without options is hidden.
  document.querySelectorAll("input[data-filter]").forEach(function (box) {
    var sel = document.getElementById(box.getAttribute("data-filter"));
    if (!sel) return;
    var has = function (s, q) { return !!s && s.toLowerCase().indexOf(q) >= 0; };
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      var first = null, before = sel.value;
      Array.prototype.forEach.call(sel.options, function (o) {
        var group = o.parentNode.tagName === "OPTGROUP" ? o.parentNode.label : "";
        var show = !q || o.value === "" || has(o.text, q) || has(group, q);
        o.hidden = !show;
        if (show && o.value !== "" && !first) first = o;
      });
      sel.querySelectorAll("optgroup").forEach(function (g) {
        g.hidden = !Array.prototype.some.call(g.children, function (o) { return !o.hidden; });
      });
      // Typing picks the first match, unless a match is chosen already.
      if (q && first && (sel.selectedIndex < 0 || sel.value === "" || sel.options[sel.selectedIndex].hidden)) first.selected = true;
      // The picked option counts as a choice (the repeat check reads it).
      if (sel.value !== before) sel.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });

  // Each intake form gets an id, so that a double submit or a retried post
  // registers the report once.
  document.querySelectorAll("form[data-form-id]").forEach(function (f) {
    var input = f.querySelector("input[name=form_id]");
    if (input && !input.value) input.value = newID();
  });

  // While the operator types, the open cases this report may repeat.
  var rep = document.getElementById("repeats");
  var intake = rep && rep.closest("form");
  if (rep && intake) {
    var timer = 0, last = "";
    var look = function () {
      var f = function (n) { var el = intake.querySelector("[name=" + n + "]"); return el ? el.value : ""; };
      var q = new URLSearchParams({ text: f("title") + " " + f("body"), address: f("address"), lat: f("lat"), lon: f("lon"),
        division_code: f("division_code"), category_id: f("category_id") }).toString();
      if (q === last || (f("body") + f("title")).trim().length < 4) return;
      last = q;
      fetch("/intake/repeats?" + q, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) return;
          var list = rep.querySelector("ol");
          list.textContent = "";
          rep.hidden = d.candidates.length === 0;
          d.candidates.forEach(function (c) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = "/cases/" + c.number; a.textContent = c.number; a.target = "_blank";
            li.appendChild(a);
            li.appendChild(document.createTextNode(" " + c.title + " · " + d.score + " " + Math.round(c.score * 100) + "% · " + c.reasons.join(d.sep || "，") + " "));
            var b = document.createElement("button");
            b.type = "button"; b.textContent = d.add; b.className = "link";
            b.addEventListener("click", function () { intake.querySelector("[name=case_number]").value = c.number; });
            li.appendChild(b);
            list.appendChild(li);
          });
        })
        .catch(function () { /* the check is a help, not a step */ });
    };
    intake.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(look, 400); });
    intake.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(look, 100); });
  }

  // While the operator types the reporter: the petitioner's earlier
  // petitions (same ID number, or same name and phone) and whether a
  // concluded 复核 bars this one (不再受理). Posted, so the ID number never
  // sits in a URL.
  var pet = document.getElementById("petitioner");
  var petForm = pet && pet.closest("form");
  if (pet && petForm) {
    var petTimer = 0, petLast = "";
    var who = function () {
      var f = function (n) { var el = petForm.querySelector("[name=" + n + "]"); return el ? el.value : ""; };
      var data = new URLSearchParams({ reporter_name: f("reporter_name"), reporter_phone: f("reporter_phone"),
        reporter_id: f("reporter_id"), title: f("title"), body: f("body") });
      var key = data.toString();
      if (key === petLast) return;
      petLast = key;
      if (!f("reporter_id").trim() && !(f("reporter_name").trim() && f("reporter_phone").trim())) { pet.hidden = true; return; }
      fetch("/intake/petitioner", { method: "POST", credentials: "same-origin", body: data,
        headers: { Accept: "application/json", "X-CSRF-Token": f("csrf") } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) return;
          var list = pet.querySelector("ol");
          list.textContent = "";
          pet.querySelector(".visits").textContent = d.message || "";
          var barred = pet.querySelector(".barred");
          barred.textContent = d.barred || "";
          barred.hidden = !d.barred;
          pet.querySelector(".hidden-count").textContent = d.hidden || "";
          d.earlier.forEach(function (e) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = "/cases/" + e.number; a.textContent = e.number; a.target = "_blank";
            li.appendChild(a);
            li.appendChild(document.createTextNode(" " + e.title + " · " + e.state + " · " + e.received + (e.same ? " · " + d.same_label : "")));
            list.appendChild(li);
          });
          pet.hidden = d.visits <= 1 && !d.barred;
        })
        .catch(function () { /* the check is a help, not a step */ });
    };
    petForm.addEventListener("input", function () { clearTimeout(petTimer); petTimer = setTimeout(who, 500); });
    petForm.addEventListener("change", function () { clearTimeout(petTimer); petTimer = setTimeout(who, 100); });
  }

  // The classifier's suggested categories: a click narrows the picker;
  // and where routing would send the report, and why.
  var sug = document.getElementById("suggest");
  var sugNature = document.getElementById("suggest-nature");
  var sugForm = sug && sug.closest("form");
  var sugRoute = document.getElementById("suggest-route");
  var routeFields = ["channel", "title", "body", "address", "division_code", "lat", "lon", "nature", "category_id"];
  if (sug && sugForm) {
    var sugTimer = 0, sugLast = "";
    var ask = function () {
      var params = {};
      routeFields.forEach(function (n) { var el = sugForm.querySelector("[name=" + n + "]"); params[n] = el ? el.value : ""; });
      var q = new URLSearchParams(params).toString();
      if (q === sugLast || (params.title + params.body + params.address + params.division_code + params.lat).trim() === "") return;
      sugLast = q;
      fetch("/intake/suggest?" + q, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) return;
          sug.querySelectorAll("button").forEach(function (b) { b.remove(); });
          if (sugNature) sugNature.querySelectorAll("button").forEach(function (b) { b.remove(); });
          sug.hidden = d.suggestions.length === 0;
          d.suggestions.forEach(function (s) {
            var b = document.createElement("button");
            b.type = "button"; b.className = "tag";
            b.textContent = (s.path || s.label) + " " + Math.round(s.confidence * 100) + "%";
            b.addEventListener("click", function () {
              // The label is a path (城乡建设/…/燃气供应): narrow by the
              // category's own name, then pick the very category.
              var box = sugForm.querySelector("input[data-filter=intake-category]");
              box.value = s.name || s.label;
              box.dispatchEvent(new Event("input"));
              var sel = sugForm.querySelector("select[name=category_id]");
              if (s.category_id && sel.value !== String(s.category_id)) {
                sel.value = String(s.category_id);
                sel.dispatchEvent(new Event("change", { bubbles: true }));
              }
            });
            sug.appendChild(b);
          });
          // The suggested natures, by the nature picker: a click chooses
          // one (and routing hears of it).
          (sugNature ? d.natures || [] : []).forEach(function (s) {
            var b = document.createElement("button");
            b.type = "button"; b.className = "tag";
            b.textContent = s.name + " " + Math.round(s.confidence * 100) + "%";
            b.addEventListener("click", function () {
              var sel = sugForm.querySelector("select[name=nature]");
              sel.value = s.label;
              sel.dispatchEvent(new Event("change", { bubbles: true }));
            });
            sugNature.appendChild(b);
          });
          if (sugNature) sugNature.hidden = (d.natures || []).length === 0;
          if (sugRoute) {
            sugRoute.textContent = "";
            if (d.routing) {
              var label = document.createElement("strong");
              label.textContent = d.routing.label + sugRoute.dataset.colon;
              sugRoute.appendChild(label);
              if (d.routing.triage) {
                var tag = document.createElement("span");
                tag.className = "tag prio-urgent";
                tag.textContent = d.routing.triage_label;
                sugRoute.appendChild(tag);
                sugRoute.appendChild(document.createTextNode(" "));
              }
              sugRoute.appendChild(document.createTextNode(d.routing.explanation));
            }
            sugRoute.hidden = !d.routing;
          }
        })
        .catch(function () { /* suggestions are a help, not a step */ });
    };
    routeFields.forEach(function (n) {
      var el = sugForm.querySelector("[name=" + n + "]");
      if (!el) return;
      var wait = n === "title" || n === "body" || n === "address" ? 350 : 50;
      ["input", "change"].forEach(function (ev) {
        el.addEventListener(ev, function () { clearTimeout(sugTimer); sugTimer = setTimeout(ask, wait); });
      });
    });
  }

  // Clicking the district map fills in the coordinates.
  document.querySelectorAll("svg.map[data-scale]").forEach(function (svg) {
    var minLon = parseFloat(svg.dataset.minlon), maxLat = parseFloat(svg.dataset.maxlat);
    var scale = parseFloat(svg.dataset.scale), cos = parseFloat(svg.dataset.cos);
    var lat = document.getElementById(svg.dataset.lat), lon = document.getElementById(svg.dataset.lon);
    var pin = svg.querySelector(".pin");
    function place() {
      var la = parseFloat(lat.value), lo = parseFloat(lon.value);
      if (isNaN(la) || isNaN(lo)) { pin.setAttribute("cx", -20); pin.setAttribute("cy", -20); return; }
      pin.setAttribute("cx", (lo - minLon) * cos * scale);
      pin.setAttribute("cy", (maxLat - la) * scale);
    }
    svg.addEventListener("click", function (e) {
      var pt = svg.createSVGPoint();
      pt.x = e.clientX; pt.y = e.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse());
      lon.value = (minLon + p.x / (cos * scale)).toFixed(6);
      lat.value = (maxLat - p.y / scale).toFixed(6);
      place();
      // The point changed: what listens to the form (routing's suggestion) hears it.
      lat.dispatchEvent(new Event("change", { bubbles: true }));
    });
    lat.addEventListener("input", place);
    lon.addEventListener("input", place);
    place();
  });

  // The second-factor enrolment code, drawn locally: the secret never
  // leaves the page.
  document.querySelectorAll("[data-otpauth]").forEach(function (box) {
    if (typeof qrcode !== "function") return;
    var qr = qrcode(0, "M");
    qr.addData(box.getAttribute("data-otpauth"));
    qr.make();
    box.innerHTML = qr.createSvgTag({ cellSize: 5, margin: 4, scalable: true });
  });
});

function newID() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  var b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
}

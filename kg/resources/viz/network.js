// The kg network page. The graph arrives laid out (positions from Python) as inert JSON;
// vis-network draws nodes and edges, and this script draws every label itself: the most
// connected actors first and always, the others only where they fit, never one over another.
// It also builds the tooltip, the pinned evidence panel, the legend, the filters (which keep
// the picture: a node comes back where it was), the date range, search and the downloads.
// Document text is only ever set with textContent or drawn on the canvas, never parsed as HTML.
(function () {
  "use strict";

  function read(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  var started = performance.now();
  var G = read("kg-graph");
  var E = read("kg-evidence-data");
  var options = read("kg-options");
  var meta = read("kg-meta");
  var S = meta.style;
  var evidence = E.evidence;
  var documents = E.documents;
  var dates = meta.dates;
  var relInfo = {};
  meta.relations.forEach(function (r) { relInfo[r.name] = r; });
  var classInfo = {};
  meta.classes.forEach(function (c) { classInfo[c.name] = c; });

  var byId = {};
  G.nodes.forEach(function (n, i) { n.rank = i; n.edges = []; byId[n.id] = n; });
  G.edges.forEach(function (e) { byId[e.from].edges.push(e); byId[e.to].edges.push(e); });
  var statements = G.statements;
  var statementById = {};
  statements.forEach(function (s, i) { s.index = i; statementById[s.id] = s; });
  var home = {};
  G.nodes.forEach(function (n) { home[n.id] = { x: n.x, y: n.y }; });

  // -- filters and what they leave visible ---------------------------------------------------
  var shownRelations = new Set(meta.relations.map(function (r) { return r.name; }));
  var shownClasses = new Set(meta.classes.map(function (c) { return c.name; }));
  var shownDocs = documents.map(function () { return true; });
  var range = { lo: 0, hi: Math.max(0, dates.length - 1), undated: true };
  var expanded = new Set();
  var docOk = [];
  var full = true;

  function dateOk(doc) {
    if (!doc.date) { return range.undated; }
    if (!dates.length) { return true; }
    return doc.date >= dates[range.lo] && doc.date <= dates[range.hi];
  }

  function recompute() {
    docOk = documents.map(function (d, i) { return shownDocs[i] && dateOk(d); });
    full = shownRelations.size === meta.relations.length && docOk.every(Boolean) &&
      (range.lo === 0 && range.hi === Math.max(0, dates.length - 1) && range.undated);
    G.edges.forEach(function (e) {
      var total = 0, bestN = 0, best = null;
      e.fwd = false; e.back = false;
      e.g.forEach(function (g) {
        var n = 0;
        if (shownRelations.has(g.r)) {
          g.ev.forEach(function (i) { if (docOk[evidence[i].d]) { n++; } });
        }
        g.n = n;
        if (n) {
          total += n;
          if (g.f) { e.fwd = true; } else { e.back = true; }
          if (n > bestN) { bestN = n; best = g; }
        }
      });
      e.n = total;
      e.kind = best ? relInfo[best.r].kind : "neutral";
      e.best = best;
      e.visible = total > 0 && shownClasses.has(byId[e.from].k) && shownClasses.has(byId[e.to].k);
    });
    statements.forEach(function (s) {
      s.n = 0;
      if (shownRelations.has("said")) {
        s.ev.forEach(function (pair) { if (docOk[evidence[pair[1]].d]) { s.n++; } });
      }
    });
    G.nodes.forEach(function (n) {
      n.quotes = 0;
      n.said.forEach(function (i) { if (statements[i].n) { n.quotes++; } });
      var linked = n.edges.some(function (e) { return e.visible; });
      n.visible = shownClasses.has(n.k) && (full || linked || n.quotes > 0);
    });
    statements.forEach(function (s) {
      s.visible = s.n > 0 && s.speakers.some(function (id) { return expanded.has(id) && byId[id].visible; });
    });
  }

  // -- vis-network ------------------------------------------------------------------------------
  function classColour(kind) { return S.classes[kind] || "#bab0ac"; }
  function kindColour(kind) { return S.kinds[kind] || S.kinds.neutral; }
  function width(n) {
    return Math.min(S.edgeWidth[1], S.edgeWidth[0] + Math.log(Math.max(1, n)) / Math.LN2 * 1.1);
  }
  function visNode(n) {
    // the colour comes with the class's group (options.groups): no options object per node
    return { id: n.id, x: n.x, y: n.y, value: n.size, group: n.k || "(untyped)" };
  }
  var arrows = options.edges.arrows.to.enabled;
  function visEdge(e) {
    var edge = { id: e.id, from: e.from, to: e.to, width: width(e.n), color: kindColour(e.kind) };
    if (arrows) {
      edge.arrows = { to: { enabled: e.fwd, scaleFactor: 0.45 }, from: { enabled: e.back, scaleFactor: 0.45 } };
    }
    return edge;
  }
  function lookOf(e) { return e.kind + "|" + width(e.n) + "|" + e.fwd + "|" + e.back; }

  var byIdEdge = {};
  G.edges.forEach(function (e) { byIdEdge[e.id] = e; });
  recompute();
  var nodes = new vis.DataSet(G.nodes.map(visNode));
  var edges = new vis.DataSet(G.edges.map(function (e) { e.look = lookOf(e); return visEdge(e); }));
  var nodeView = new vis.DataView(nodes, { filter: function (item) {
    var n = byId[item.id];
    return n ? n.visible : statementById[item.id].visible;
  } });
  var edgeView = new vis.DataView(edges, { filter: function (item) {
    if (item.statement !== undefined) {
      return statements[item.statement].visible && byId[item.from].visible && expanded.has(item.from);
    }
    return byIdEdge[item.id].visible;
  } });
  var container = document.getElementById("kg-network");
  var loading = document.getElementById("kg-loading");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, options);
  var visibleCount = 0;

  var state = {
    nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, network: network,
    graph: G, evidence: evidence, documents: documents,
    stable: false, focus: null, labels: [], edgeLabels: [], tidied: 0, busy: false,
    timing: { built: performance.now() - started, drawn: null }
  };
  window.kg = state;

  // -- labels, drawn by us: most connected first, none over another ---------------------------
  var FAMILY = "system-ui, -apple-system, 'Segoe UI', sans-serif";
  var FONT_TOP = "600 13px " + FAMILY;
  var FONT = "12px " + FAMILY;
  var FONT_EDGE = "11px " + FAMILY;
  var LINE = 16;
  var widths = new Map();
  function textWidth(ctx, font, text) {
    var key = font + "\u0000" + text;
    var w = widths.get(key);
    if (w === undefined) {
      ctx.font = font;
      w = ctx.measureText(text).width;
      widths.set(key, w);
    }
    return w;
  }

  function Grid(cell) { this.cell = cell; this.cells = new Map(); }
  Grid.prototype.span = function (b, fn) {
    var c = this.cell;
    for (var i = Math.floor(b.x / c); i <= Math.floor((b.x + b.w) / c); i++) {
      for (var j = Math.floor(b.y / c); j <= Math.floor((b.y + b.h) / c); j++) {
        if (fn(i + "," + j) === true) { return true; }
      }
    }
    return false;
  };
  Grid.prototype.add = function (b) {
    var cells = this.cells;
    this.span(b, function (k) { var l = cells.get(k); if (l) { l.push(b); } else { cells.set(k, [b]); } });
  };
  Grid.prototype.hits = function (b, skip) {
    var cells = this.cells;
    return this.span(b, function (k) {
      var l = cells.get(k);
      if (!l) { return false; }
      for (var m = 0; m < l.length; m++) {
        var o = l[m];
        if (skip !== undefined && skip !== null && o.id === skip) { continue; }
        if (o.r !== undefined) {
          var cx = Math.max(b.x, Math.min(o.cx, b.x + b.w)), cy = Math.max(b.y, Math.min(o.cy, b.y + b.h));
          if ((cx - o.cx) * (cx - o.cx) + (cy - o.cy) * (cy - o.cy) < o.r * o.r) { return true; }
        } else if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h) {
          return true;
        }
      }
      return false;
    });
  };

  function candidates(x, y, r, w, h) {
    var g = 3;
    return [
      { x: x - w / 2, y: y + r + g },
      { x: x + r + g, y: y - h / 2 },
      { x: x - w / 2, y: y - r - g - h },
      { x: x - r - g - w, y: y - h / 2 },
      { x: x + r * 0.7 + g, y: y + r * 0.7 },
      { x: x + r * 0.7 + g, y: y - r * 0.7 - h },
      { x: x - r * 0.7 - g - w, y: y + r * 0.7 },
      { x: x - r * 0.7 - g - w, y: y - r * 0.7 - h }
    ];
  }

  function shortText(text, max) {
    text = String(text).replace(/\s+/g, " ").trim();
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  var hovered = null;
  var rankOrder = G.nodes.map(function (n) { return n.id; }).concat(statements.map(function (s) { return s.id; }));
  function placeLabels(ctx) {
    var view = network.body.view, s = view.scale, tx = view.translation.x, ty = view.translation.y;
    var W = container.clientWidth, H = container.clientHeight;
    var body = network.body.nodes;
    var labels = new Grid(64), discs = new Grid(48);
    var useDiscs = visibleCount <= 4000;
    var screen = {};
    function at(id) {
      var b = body[id];
      if (!b) { return null; }
      var p = screen[id];
      if (!p) {
        p = { cx: b.x * s + tx, cy: b.y * s + ty, r: Math.max(1.5, (b.options.size || 8) * s), id: id };
        screen[id] = p;
      }
      return p;
    }
    function inside(b) { return b.x >= 0 && b.y >= 0 && b.x + b.w <= W && b.y + b.h <= H; }
    if (useDiscs) {
      for (var id in body) {
        var p = at(id);
        if (p.cx > -p.r && p.cy > -p.r && p.cx < W + p.r && p.cy < H + p.r) {
          discs.add({ x: p.cx - p.r, y: p.cy - p.r, w: 2 * p.r, h: 2 * p.r, cx: p.cx, cy: p.cy, r: p.r, id: id });
        }
      }
    }
    var placed = [];
    var always = S.always;
    var first = [];
    network.getSelectedNodes().forEach(function (id) { first.push(id); });
    if (hovered && first.indexOf(hovered) < 0) { first.push(hovered); }
    var order = first.length ? first.concat(rankOrder) : rankOrder;
    var tried = 0;
    // while a big graph is dragged or zoomed (its edges hidden), only the labels that must show
    var moving = visibleCount > 2000 && (network.renderer.dragging || network.renderer.zooming);
    var tiny = visibleCount > 4000 ? 2 : 0;
    var seen = new Set();
    for (var k = 0; k < order.length; k++) {
      var nid = order[k];
      if (seen.has(nid)) { continue; }
      seen.add(nid);
      var n = byId[nid] || null;
      var q = at(nid);
      if (!q) { continue; }
      var forced = k < first.length;
      var top = !forced && n && always > 0 && !classInfo[n.k].folded && n.k !== "Claim";
      if (top) { always--; }
      if (!top && !forced) {
        if (moving && always <= 0) { break; }
        if (q.r < tiny || q.cx < -50 || q.cy < -50 || q.cx > W + 50 || q.cy > H + 50) { continue; }
        if (++tried > 2500 || placed.length >= (visibleCount > 2000 ? 150 : 350)) { if (always <= 0) { break; } continue; }
      }
      var text = n ? n.label : shortText(statementById[nid].text, 48);
      var badge = n && n.quotes ? String(n.quotes) : "";
      var font = top || forced ? FONT_TOP : FONT;
      var bw = badge ? textWidth(ctx, FONT_EDGE, badge) + 9 : 0;
      var w = textWidth(ctx, font, text) + (badge ? bw + 4 : 0) + 4;
      var h = LINE;
      var options = candidates(q.cx, q.cy, q.r, w, h);
      var chosen = null;
      for (var c = 0; c < options.length && !chosen; c++) {
        var b = { x: options[c].x, y: options[c].y, w: w, h: h };
        if ((top || forced || inside(b)) && !labels.hits(b) && !(useDiscs && discs.hits(b, nid))) { chosen = b; }
      }
      var leader = false;
      if (!chosen && (top || forced)) {
        // a label that must show: over small nodes if need be, then farther out, on a
        // leader line, but never over another label
        for (var ring = 0; ring < 6 && !chosen; ring++) {
          var further = ring ? candidates(q.cx, q.cy, q.r + ring * (h + 4), w, h) : options;
          for (c = 0; c < further.length && !chosen; c++) {
            var b2 = { x: further[c].x, y: further[c].y, w: w, h: h };
            if (!labels.hits(b2)) { chosen = b2; leader = ring > 0; }
          }
        }
        if (!chosen) { chosen = { x: options[0].x, y: options[0].y, w: w, h: h }; }
      }
      if (chosen) {
        labels.add(chosen);
        placed.push({ id: nid, text: text, badge: badge, badgeWidth: bw, font: font, x: chosen.x, y: chosen.y,
          w: chosen.w, h: chosen.h, top: !!(top || forced), leader: leader ? [q.cx, q.cy] : null });
      }
    }
    var edgeLabels = [];
    if (s > 0.25) {
      var examined = 0;
      for (var m = 0; m < edgeOrder.length && edgeLabels.length < 160 && examined < 1500; m++) {
        var e = edgeOrder[m];
        if (!e.visible) { continue; }
        var a = at(e.from), z = at(e.to);
        if (!a || !z) { continue; }
        var mx = (a.cx + z.cx) / 2, my = (a.cy + z.cy) / 2;
        if (mx < 0 || my < 0 || mx > W || my > H) { continue; }
        examined++;
        var more = e.g.filter(function (g) { return g.n; }).length > 1 ? " +" : "";
        var et = relInfo[e.best.r].label + (e.n > 1 ? " ×" + e.n : "") + more;
        var ew = textWidth(ctx, FONT_EDGE, et) + 4;
        var length = Math.sqrt((a.cx - z.cx) * (a.cx - z.cx) + (a.cy - z.cy) * (a.cy - z.cy));
        if (length < ew + a.r + z.r + 10) { continue; }
        var eb = { x: mx - ew / 2, y: my - 7, w: ew, h: 14 };
        if (inside(eb) && !labels.hits(eb) && !(useDiscs && discs.hits(eb, null))) {
          labels.add(eb);
          edgeLabels.push({ id: e.id, text: et, x: eb.x, y: eb.y, w: eb.w, h: eb.h });
        }
      }
    }
    state.labels = placed;
    state.edgeLabels = edgeLabels;
  }

  function drawLabels(ctx) {
    var ratio = network.canvas.pixelRatio || 1;
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    var cheap = visibleCount > 2000;
    state.edgeLabels.forEach(function (l) {
      ctx.font = FONT_EDGE;
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.95)";
      ctx.strokeText(l.text, l.x + 2, l.y + l.h / 2);
      ctx.fillStyle = "#555";
      ctx.fillText(l.text, l.x + 2, l.y + l.h / 2);
    });
    state.labels.forEach(function (l) {
      if (l.leader) {
        var lx = Math.max(l.x, Math.min(l.leader[0], l.x + l.w)), ly = Math.max(l.y, Math.min(l.leader[1], l.y + l.h));
        ctx.strokeStyle = "rgba(60,60,60,0.55)";
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(l.leader[0], l.leader[1]);
        ctx.lineTo(lx, ly);
        ctx.stroke();
      }
      ctx.font = l.font;
      if (cheap) {  // a big graph: a box behind the text costs a tenth of a stroked halo
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.fillRect(l.x, l.y + 1, l.w, l.h - 2);
      } else {
        ctx.lineWidth = 4;
        ctx.strokeStyle = "rgba(255,255,255,0.95)";
        ctx.strokeText(l.text, l.x + 2, l.y + l.h / 2);
      }
      ctx.fillStyle = l.top ? "#111" : "#333";
      ctx.fillText(l.text, l.x + 2, l.y + l.h / 2);
      if (l.badge) {
        var bx = l.x + l.w - l.badgeWidth - 2, by = l.y + 2, bh = l.h - 4;
        ctx.fillStyle = S.kinds.statement;
        ctx.beginPath();
        if (ctx.roundRect) { ctx.roundRect(bx, by, l.badgeWidth, bh, bh / 2); } else { ctx.rect(bx, by, l.badgeWidth, bh); }
        ctx.fill();
        ctx.font = FONT_EDGE;
        ctx.fillStyle = "#fff";
        ctx.fillText(l.badge, bx + 4.5, by + bh / 2 + 0.5);
      }
    });
    ctx.restore();
  }

  var edgeOrder = [];
  function sortEdges() {
    edgeOrder = G.edges.filter(function (e) { return e.visible; });
    edgeOrder.sort(function (a, b) { return b.n - a.n; });
  }

  network.on("afterDrawing", function (ctx) {
    var t0 = performance.now();
    placeLabels(ctx);
    drawLabels(ctx);
    state.timing.labels = performance.now() - t0;
    if (!state.stable) {
      state.timing.drawn = performance.now();
      state.stable = true;
      loading.classList.add("done");
    }
  });

  // -- tooltip (hover) and the pinned evidence panel (click) ----------------------------------
  var tip = document.getElementById("kg-tip");
  var panel = document.getElementById("kg-evidence");
  var panelBody = document.getElementById("kg-evidence-body");
  var pinned = null;

  function source(ev) {
    var doc = documents[ev.d];
    var parts = [doc.title || doc.id];
    if (doc.date) { parts.push("(" + doc.date + ")"); }
    if (doc.title && doc.id) { parts.push("[" + doc.id + "]"); }
    return parts.join(" ");
  }
  function webUrl(url) { return /^https?:\/\/[^\s]+$/i.test(url || "") ? url : ""; }
  function copyText(ev) {
    var doc = documents[ev.d];
    var url = webUrl(doc.url);
    return "\u201c" + ev.s + "\u201d\n\u2014 " + source(ev) + (url ? " " + url : "");
  }

  function evidenceBlock(index, withTools) {
    var ev = evidence[index];
    var box = el("div", "kg-ev");
    box.appendChild(el("div", "kg-ev-sentence", ev.s || "(no sentence)"));
    var src = el("div", "kg-ev-source", source(ev));
    var url = webUrl(documents[ev.d].url);
    if (withTools && url) {
      src.appendChild(document.createTextNode(" "));
      var link = el("a", null, "article \u2197");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      src.appendChild(link);
    }
    if (withTools) {
      var copy = el("button", "kg-ev-copy", "copy");
      copy.type = "button";
      copy.title = "Copy this sentence and its source";
      copy.addEventListener("click", function () { copy_(copyText(ev)); });
      src.appendChild(copy);
    }
    box.appendChild(src);
    if (withTools && ev.p) { box.appendChild(el("div", "kg-tip-rule", "rule " + ev.p + ", confidence " + ev.c)); }
    box.setAttribute("data-evidence", String(index));
    return box;
  }

  function visibleEvidence(list) { return list.filter(function (i) { return docOk[evidence[i].d]; }); }

  function edgeGroups(e, fromId) {
    // one block per relation and direction, with the sentences the filters leave
    var out = [];
    e.g.forEach(function (g) {
      if (!g.n) { return; }
      var subject = g.f ? e.from : e.to, object = g.f ? e.to : e.from;
      var rel = relInfo[g.r];
      var title = byId[subject].label + " \u2014 " + rel.label + " \u2192 " + byId[object].label;
      out.push({ title: title, kind: rel.kind, ev: visibleEvidence(g.ev), other: fromId === subject ? object : subject });
    });
    return out;
  }

  function addGroup(parent, title, kind, list, limit, withTools) {
    var group = el("div", "kg-group");
    var head = el("div", "kg-group-title");
    var mark = el("span", "kg-line");
    mark.style.background = kindColour(kind);
    head.appendChild(mark);
    head.appendChild(document.createTextNode(title + " (" + list.length + ")"));
    group.appendChild(head);
    list.slice(0, limit).forEach(function (i) { group.appendChild(evidenceBlock(i, withTools)); });
    if (list.length > limit) { group.appendChild(el("div", "kg-tip-more", "\u2026 and " + (list.length - limit) + " more: click to see them all")); }
    parent.appendChild(group);
  }

  function nodeContent(id, full_) {
    var box = el("div");
    var n = byId[id];
    var limit = full_ ? Infinity : S.tooltipSentences;
    if (!n) {
      var st = statementById[id];
      box.appendChild(el("div", "kg-tip-title", "\u201c" + shortText(st.text, 300) + "\u201d"));
      box.appendChild(el("div", "kg-tip-kind", "statement by " + st.speakers.map(function (s) { return byId[s].label; }).join(", ")));
      addGroup(box, "said", "statement", visibleEvidence(st.ev.map(function (p) { return p[1]; })), limit, full_);
      return box;
    }
    box.appendChild(el("div", "kg-tip-title", n.label));
    box.appendChild(el("div", "kg-tip-kind", classInfo[n.k].label + " \u00b7 " + n.partners + " partner(s)"));
    if (n.aliases.length) { box.appendChild(el("div", "kg-tip-aliases", "also called: " + n.aliases.join(", "))); }
    if (n.text && n.text !== n.label) { box.appendChild(el("div", "kg-ev-sentence", n.text)); }
    var groups = [];
    n.edges.forEach(function (e) { if (e.visible) { groups = groups.concat(edgeGroups(e, id)); } });
    groups.sort(function (a, b) { return b.ev.length - a.ev.length; });
    var shown = 0;
    groups.forEach(function (g) {
      if (!full_ && shown >= 3) { return; }
      shown++;
      addGroup(box, g.title, g.kind, g.ev, full_ ? Infinity : 1, full_);
    });
    if (!full_ && groups.length > 3) { box.appendChild(el("div", "kg-tip-more", "\u2026 and " + (groups.length - 3) + " more relation(s): click to pin them all")); }
    var quotes = n.said.filter(function (i) { return statements[i].n; });
    if (quotes.length) {
      var said = el("div", "kg-group");
      said.appendChild(el("div", "kg-group-title", "said (" + quotes.length + " statement" + (quotes.length > 1 ? "s" : "") + ")"));
      quotes.slice(0, full_ ? quotes.length : 1).forEach(function (i) {
        var st2 = statements[i];
        st2.ev.forEach(function (pair) {
          if (pair[0] === id && docOk[evidence[pair[1]].d]) { said.appendChild(evidenceBlock(pair[1], full_)); }
        });
      });
      if (full_) {
        var expand = el("button", "kg-expand", expanded.has(id) ? "Hide the statements in the graph" : "Show the " + quotes.length + " statement(s) in the graph");
        expand.type = "button";
        expand.id = "kg-expand";
        expand.addEventListener("click", function () { toggleStatements(id); pin({ node: id }); });
        said.appendChild(expand);
      }
      box.appendChild(said);
    }
    return box;
  }

  function edgeContent(id, full_) {
    var box = el("div");
    var e = byIdEdge[id];
    if (!e) {
      var item = edges.get(id);
      return nodeContent(item.to, full_);
    }
    box.appendChild(el("div", "kg-tip-title", byId[e.from].label + " \u2014 " + byId[e.to].label));
    box.appendChild(el("div", "kg-tip-kind", e.n + " sentence(s)"));
    edgeGroups(e, e.from).forEach(function (g) {
      addGroup(box, g.title, g.kind, g.ev, full_ ? Infinity : S.tooltipSentences, full_);
    });
    return box;
  }

  function showTip(content, pointer) {
    tip.textContent = "";
    tip.appendChild(content);
    tip.hidden = false;
    var W = container.clientWidth, H = container.clientHeight;
    var x = pointer.x + 14, y = pointer.y + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > W) { x = Math.max(0, pointer.x - w - 14); }
    if (y + h > H) { y = Math.max(0, H - h - 4); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hideTip() { tip.hidden = true; }

  function pin(target) {
    pinned = target;
    panelBody.textContent = "";
    panelBody.appendChild(target.node ? nodeContent(target.node, true) : edgeContent(target.edge, true));
    panel.hidden = false;
    state.pinned = target;
  }
  function unpin() { pinned = null; state.pinned = null; panel.hidden = true; }

  network.on("hoverNode", function (p) { hovered = p.node; showTip(nodeContent(p.node, false), p.pointer.DOM); network.redraw(); });
  network.on("blurNode", function () { hovered = null; hideTip(); network.redraw(); });
  network.on("hoverEdge", function (p) { showTip(edgeContent(p.edge, false), p.pointer.DOM); });
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("click", function (p) {
    hideTip();
    if (p.nodes.length) { pin({ node: p.nodes[0] }); } else if (p.edges.length) { pin({ edge: p.edges[0] }); }
  });
  network.on("dragEnd", function (p) {
    // a node the reader moved stays where it was put
    p.nodes.forEach(function (id) {
      var pos = network.getPositions([id])[id];
      if (home[id]) { home[id] = { x: pos.x, y: pos.y }; }
    });
  });
  document.getElementById("kg-close").addEventListener("click", unpin);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { unpin(); } });

  var copyStatus = document.getElementById("kg-copy-status");
  function copy_(text) {
    function done(ok) { copyStatus.textContent = ok ? "copied" : "select the text and copy it"; state.copied = ok ? text : null; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
    } else { done(fallback(text)); }
  }
  function fallback(text) {
    var area = el("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
    area.remove();
    return ok;
  }
  document.getElementById("kg-copy-all").addEventListener("click", function () {
    var parts = [];
    var title = panelBody.querySelector(".kg-tip-title");
    if (title) { parts.push(title.textContent); }
    each(panelBody.querySelectorAll("[data-evidence]"), function (box) {
      parts.push(copyText(evidence[Number(box.getAttribute("data-evidence"))]));
    });
    copy_(parts.join("\n\n"));
  });

  // -- folded statements, shown around their speaker on request -------------------------------
  function toggleStatements(id) {
    var n = byId[id];
    if (expanded.has(id)) {
      expanded.delete(id);
    } else {
      expanded.add(id);
      var centre = network.getPositions([id])[id] || home[id];
      var list = n.said.filter(function (i) { return statements[i].n; });
      var radius = S.unit * (0.8 + list.length / 14);
      var add = [], update = [], links = [];
      list.forEach(function (i, k) {
        var st = statements[i];
        var angle = 2 * Math.PI * k / list.length - Math.PI / 2;
        var item = { id: st.id, x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle),
          shape: "square", size: 6, color: { background: classColour("Statement"), border: "#888" } };
        if (nodes.get(st.id)) { update.push(item); } else { add.push(item); }
        var eid = "s" + i + "|" + id;
        if (!edges.get(eid)) {
          var c = kindColour("statement");
          links.push({ id: eid, from: id, to: st.id, statement: i, dashes: true, width: 1,
            color: { color: c, highlight: c, hover: c }, arrows: { to: { enabled: true, scaleFactor: 0.4 } } });
        }
      });
      nodes.add(add);
      nodes.update(update);
      edges.add(links);
    }
    recompute();
    nodeView.refresh();
    edgeView.refresh();
    showCounts();
  }
  state.toggleStatements = toggleStatements;

  // -- applying filters: nodes back home, a short tidying step, a refit -----------------------
  function fit() { network.fit({ animation: false }); }
  function applyFilters() {
    recompute();
    var looks = [];
    G.edges.forEach(function (e) {
      var look = lookOf(e);
      if (look !== e.look) { e.look = look; looks.push(visEdge(e)); }
    });
    if (looks.length) { edges.update(looks); }
    var back = [];
    G.nodes.forEach(function (n) { if (n.visible) { back.push({ id: n.id, x: home[n.id].x, y: home[n.id].y }); } });
    nodes.update(back);
    edgeView.refresh();
    nodeView.refresh();
    visibleCount = nodeView.length;
    sortEdges();
    showCounts();
    updateFilterCounts();
    if (full || visibleCount === 0 || visibleCount > 1500) {
      fit();
      state.busy = false;
      return;
    }
    state.busy = true;
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(Math.min(120, 40 + visibleCount));
  }
  network.on("stabilizationIterationsDone", function () {
    network.setOptions({ physics: { enabled: false } });
    fit();
    state.tidied++;
    state.busy = false;
  });
  state.apply = applyFilters;

  var counts = document.getElementById("kg-counts");
  function showCounts() {
    var folded = statements.filter(function (s) { return s.n; }).length;
    counts.textContent = nodeView.length + " of " + nodes.length + " nodes, " + edgeView.length + " of " +
      edges.length + " edges" + (folded ? " \u00b7 " + folded + " statements folded into their speakers" : "");
  }

  // -- legend and filter lists ----------------------------------------------------------------
  var kindCounts = {};
  meta.kinds.forEach(function (k) {
    var item = el("li");
    var mark = el("span", "kg-line");
    mark.style.background = k.colour;
    item.appendChild(mark);
    item.appendChild(document.createTextNode(k.text + " "));
    var count = el("span", "kg-count", "(" + k.count + ")");
    kindCounts[k.name] = count;
    item.appendChild(count);
    if (!k.count) { item.className = "kg-zero"; }
    item.setAttribute("data-kind", k.name);
    document.getElementById("kg-edge-legend").appendChild(item);
  });

  var filterCounts = { "kg-relations": {}, "kg-classes": {}, "kg-documents": {} };
  var sets = {
    "kg-relations": { has: function (k) { return shownRelations.has(k); }, set: function (k, on) { if (on) { shownRelations.add(k); } else { shownRelations.delete(k); } } },
    "kg-classes": { has: function (k) { return shownClasses.has(k); }, set: function (k, on) { if (on) { shownClasses.add(k); } else { shownClasses.delete(k); } } },
    "kg-documents": { has: function (k) { return shownDocs[Number(k)]; }, set: function (k, on) { shownDocs[Number(k)] = on; } }
  };
  function checkboxes(containerId, entries, only) {
    var box = document.getElementById(containerId);
    entries.forEach(function (entry) {
      var row = el("div", "kg-row");
      var label = el("label");
      var input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = entry.key;
      input.addEventListener("change", function () { sets[containerId].set(entry.key, input.checked); applyFilters(); });
      label.appendChild(input);
      if (entry.colour) {
        var mark = el("span", entry.line ? "kg-line" : "kg-swatch");
        mark.style.background = entry.colour;
        label.appendChild(document.createTextNode(" "));
        label.appendChild(mark);
      } else {
        label.appendChild(document.createTextNode(" "));
      }
      label.appendChild(document.createTextNode(entry.text + " "));
      var count = el("span", "kg-count", "(" + entry.count + ")");
      filterCounts[containerId][entry.key] = count;
      label.appendChild(count);
      row.appendChild(label);
      if (only) {
        var button = el("button", "kg-only", "only");
        button.type = "button";
        button.title = "Show only this";
        button.setAttribute("data-only", entry.key);
        button.addEventListener("click", function () {
          each(box.querySelectorAll("input"), function (i) {
            i.checked = i.value === entry.key;
            sets[containerId].set(i.value, i.checked);
          });
          applyFilters();
        });
        row.appendChild(button);
      }
      box.appendChild(row);
    });
  }
  checkboxes("kg-classes", meta.classes.map(function (c) {
    return { key: c.name, text: c.label + (c.folded ? " (folded)" : ""), count: c.count, colour: c.colour };
  }), true);
  checkboxes("kg-relations", meta.relations.map(function (r) {
    return { key: r.name, text: r.label, count: r.count, colour: kindColour(r.kind), line: true };
  }), true);
  checkboxes("kg-documents", meta.documents.map(function (d) {
    return { key: String(d.index), text: (d.date ? d.date + " " : "") + (d.title || d.id), count: 0 };
  }), true);

  function updateFilterCounts() {
    var rel = {}, docs = {}, cls = {};
    G.edges.forEach(function (e) {
      if (!e.visible) { return; }
      e.g.forEach(function (g) {
        if (g.n) {
          rel[g.r] = (rel[g.r] || 0) + g.n;
          g.ev.forEach(function (i) { if (docOk[evidence[i].d]) { docs[evidence[i].d] = (docs[evidence[i].d] || 0) + 1; } });
        }
      });
    });
    statements.forEach(function (s) {
      if (!s.n) { return; }
      rel.said = (rel.said || 0) + s.n;
      s.ev.forEach(function (p) { var d = evidence[p[1]].d; if (docOk[d]) { docs[d] = (docs[d] || 0) + 1; } });
    });
    G.nodes.forEach(function (n) { if (n.visible) { cls[n.k] = (cls[n.k] || 0) + 1; } });
    statements.forEach(function (s) { if (s.n) { cls.Statement = (cls.Statement || 0) + 1; } });
    Object.keys(filterCounts["kg-relations"]).forEach(function (k) { filterCounts["kg-relations"][k].textContent = "(" + (rel[k] || 0) + ")"; });
    Object.keys(filterCounts["kg-documents"]).forEach(function (k) { filterCounts["kg-documents"][k].textContent = "(" + (docs[k] || 0) + ")"; });
    Object.keys(filterCounts["kg-classes"]).forEach(function (k) { filterCounts["kg-classes"][k].textContent = "(" + (cls[k] || 0) + ")"; });
  }

  each(document.querySelectorAll("button.kg-all, button.kg-none"), function (button) {
    button.addEventListener("click", function () {
      var on = button.classList.contains("kg-all");
      var target = button.getAttribute("data-target");
      each(document.querySelectorAll("#" + target + " input"), function (input) {
        input.checked = on;
        sets[target].set(input.value, on);
      });
      applyFilters();
    });
  });

  // -- the date range -------------------------------------------------------------------------
  var from = document.getElementById("kg-date-from"), to = document.getElementById("kg-date-to");
  var rangeText = document.getElementById("kg-date-range");
  var undated = document.getElementById("kg-undated");
  var anyUndated = documents.some(function (d) { return !d.date; });
  function showRange() {
    rangeText.textContent = dates.length ? dates[range.lo] + " \u2013 " + dates[range.hi] + " (" + dates.length + " dates)" : "no dated documents";
  }
  if (!dates.length && !anyUndated) {
    document.getElementById("kg-time-section").hidden = true;
  }
  from.max = to.max = String(Math.max(0, dates.length - 1));
  to.value = String(range.hi);
  from.disabled = to.disabled = dates.length < 2;
  document.getElementById("kg-undated-label").hidden = !anyUndated;
  function onRange(which) {
    var lo = Number(from.value), hi = Number(to.value);
    if (lo > hi) { if (which === from) { hi = lo; to.value = String(hi); } else { lo = hi; from.value = String(lo); } }
    range.lo = lo;
    range.hi = hi;
    showRange();
    applyFilters();
  }
  from.addEventListener("input", function () { onRange(from); });
  to.addEventListener("input", function () { onRange(to); });
  undated.addEventListener("change", function () { range.undated = undated.checked; applyFilters(); });
  showRange();
  state.setDates = function (lo, hi) { from.value = String(lo); to.value = String(hi); onRange(to); };

  // -- search: an exact name or alias wins, the rest ranked -----------------------------------
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/([\p{L}\p{N}])[.'\u2019](?=[\p{L}\p{N}]|$)/gu, "$1")
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  G.nodes.forEach(function (n) {
    n.folded = fold(n.label);
    n.foldedAliases = n.aliases.map(fold);
  });
  var HOW = ["its name", "an alias", "name starts so", "alias starts so", "a word starts so", "contains it"];
  function matches(query) {
    var q = fold(query);
    if (!q) { return []; }
    var out = [];
    G.nodes.forEach(function (n) {
      var best = 9;
      function rate(name, alias) {
        var r = name === q ? 0 : name.indexOf(q) === 0 ? 2 : (" " + name).indexOf(" " + q) >= 0 ? 4 : name.indexOf(q) >= 0 ? 5 : 9;
        if (alias && r < 4) { r += 1; }
        if (r < best) { best = r; }
      }
      rate(n.folded, false);
      n.foldedAliases.forEach(function (a) { rate(a, true); });
      if (best < 9) { out.push({ node: n, how: best }); }
    });
    out.sort(function (a, b) { return a.how - b.how || a.node.rank - b.node.rank; });
    return out;
  }

  var labels = document.getElementById("kg-labels");
  var seenLabels = new Set();
  G.nodes.forEach(function (n) {
    if (!seenLabels.has(n.label)) {
      seenLabels.add(n.label);
      var option = el("option");
      option.value = n.label;
      labels.appendChild(option);
    }
  });

  var status = document.getElementById("kg-search-status");
  var list = document.getElementById("kg-candidates");
  function goTo(n) {
    list.hidden = true;
    if (!n.visible) {
      status.textContent = n.label + " is hidden by the filters";
      return n.id;
    }
    network.selectNodes([n.id]);
    network.focus(n.id, { scale: Math.max(1.2, network.getScale()), animation: { duration: 400 } });
    status.textContent = n.label + " (" + classInfo[n.k].label + ")";
    return n.id;
  }
  state.candidates = function (query) {
    return matches(query).slice(0, 8).map(function (m) { return [m.node.label, HOW[m.how]]; });
  };
  state.focus = function (query) {
    var found = matches(query);
    list.textContent = "";
    list.hidden = true;
    if (!found.length) {
      status.textContent = "no node matches";
      return null;
    }
    var exact = found.filter(function (m) { return m.how <= 1; });
    if (exact.length === 1 || found.length === 1) { return goTo((exact[0] || found[0]).node); }
    found.slice(0, 8).forEach(function (m) {
      var item = el("li");
      var button = el("button");
      button.type = "button";
      button.appendChild(document.createTextNode(m.node.label + " "));
      button.appendChild(el("span", "kg-how", "(" + classInfo[m.node.k].label + ", " + HOW[m.how] + ")"));
      button.addEventListener("click", function () { goTo(m.node); });
      item.appendChild(button);
      list.appendChild(item);
    });
    list.hidden = false;
    status.textContent = found.length + " match; pick one";
    return goTo(found[0].node);
  };
  document.getElementById("kg-search").addEventListener("submit", function (event) {
    event.preventDefault();
    state.focus(document.getElementById("kg-search-input").value);
  });

  // -- downloads of the current view ----------------------------------------------------------
  function download(name, blob) {
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 2000);
  }
  function fileName(ext) {
    return (meta.title || "kg network").replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 60) + "." + ext;
  }
  function pngBlob(callback) {
    var canvas = container.querySelector("canvas");
    var out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    var c = out.getContext("2d");
    c.fillStyle = "#ffffff";
    c.fillRect(0, 0, out.width, out.height);
    c.drawImage(canvas, 0, 0);
    out.toBlob(callback, "image/png");
  }
  function svgText() {
    var NS = "http://www.w3.org/2000/svg";
    var W = container.clientWidth, H = container.clientHeight;
    var view = network.body.view, s = view.scale, tx = view.translation.x, ty = view.translation.y;
    var body = network.body.nodes;
    function node(tag, attrs) {
      var n = document.createElementNS(NS, tag);
      Object.keys(attrs).forEach(function (k) { n.setAttribute(k, String(attrs[k])); });
      return n;
    }
    var svg = node("svg", { xmlns: NS, width: W, height: H, viewBox: "0 0 " + W + " " + H,
      "font-family": "system-ui, sans-serif" });
    svg.appendChild(node("rect", { x: 0, y: 0, width: W, height: H, fill: "#ffffff" }));
    var defs = node("defs", {});
    Object.keys(S.kinds).forEach(function (k, i) {
      var m = node("marker", { id: "arrow" + i, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 5,
        markerHeight: 5, orient: "auto-start-reverse" });
      m.appendChild(node("path", { d: "M0,0 L10,5 L0,10 z", fill: S.kinds[k] }));
      defs.appendChild(m);
    });
    svg.appendChild(defs);
    var kinds = Object.keys(S.kinds);
    function pos(id) { var b = body[id]; return { x: b.x * s + tx, y: b.y * s + ty, r: (b.options.size || 8) * s }; }
    var lines = node("g", { "stroke-linecap": "round" });
    edgeView.forEach(function (item) {
      if (!body[item.from] || !body[item.to]) { return; }
      var a = pos(item.from), b = pos(item.to);
      var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var e = byIdEdge[item.id];
      var kind = e ? e.kind : "statement";
      var attrs = { x1: (a.x + dx / len * a.r).toFixed(1), y1: (a.y + dy / len * a.r).toFixed(1),
        x2: (b.x - dx / len * b.r).toFixed(1), y2: (b.y - dy / len * b.r).toFixed(1),
        stroke: kindColour(kind), "stroke-width": Math.max(0.5, (item.width || 1) * Math.min(1, s + 0.3)).toFixed(2), "stroke-opacity": 0.9 };
      var marker = "url(#arrow" + kinds.indexOf(kind) + ")";
      if (!e || e.fwd) { attrs["marker-end"] = marker; }
      if (e && e.back) { attrs["marker-start"] = marker; }
      if (!e) { attrs["stroke-dasharray"] = "4 3"; }
      lines.appendChild(node("line", attrs));
    });
    svg.appendChild(lines);
    var dots = node("g", { stroke: "rgba(0,0,0,0.35)", "stroke-width": 1 });
    nodeView.forEach(function (item) {
      if (!body[item.id]) { return; }
      var p = pos(item.id);
      if (p.x < -p.r || p.y < -p.r || p.x > W + p.r || p.y > H + p.r) { return; }
      var n = byId[item.id];
      dots.appendChild(node("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: p.r.toFixed(1),
        fill: classColour(n ? n.k : "Statement") }));
    });
    svg.appendChild(dots);
    var text = node("g", { "paint-order": "stroke", stroke: "#ffffff", "stroke-width": 4, "stroke-linejoin": "round" });
    state.edgeLabels.forEach(function (l) {
      var t = node("text", { x: (l.x + 2).toFixed(1), y: (l.y + l.h / 2).toFixed(1), "dominant-baseline": "middle",
        "font-size": 11, fill: "#555" });
      t.textContent = l.text;
      text.appendChild(t);
    });
    state.labels.forEach(function (l) {
      if (l.leader) {
        var ex = Math.max(l.x, Math.min(l.leader[0], l.x + l.w)), ey = Math.max(l.y, Math.min(l.leader[1], l.y + l.h));
        svg.insertBefore(node("path", { d: "M" + l.leader[0].toFixed(1) + "," + l.leader[1].toFixed(1) + "L" +
          ex.toFixed(1) + "," + ey.toFixed(1), stroke: "#777", "stroke-width": 1, fill: "none" }), text);
      }
      var t = node("text", { x: (l.x + 2).toFixed(1), y: (l.y + l.h / 2).toFixed(1), "dominant-baseline": "middle",
        "font-size": l.top ? 13 : 12, "font-weight": l.top ? 600 : 400, fill: l.top ? "#111" : "#333" });
      t.textContent = l.text + (l.badge ? " (" + l.badge + ")" : "");
      text.appendChild(t);
    });
    svg.appendChild(text);
    return new XMLSerializer().serializeToString(svg);
  }
  state.svg = svgText;
  document.getElementById("kg-png").addEventListener("click", function () {
    pngBlob(function (blob) { download(fileName("png"), blob); });
  });
  document.getElementById("kg-svg").addEventListener("click", function () {
    download(fileName("svg"), new Blob([svgText()], { type: "image/svg+xml" }));
  });
  document.getElementById("kg-fit").addEventListener("click", fit);

  visibleCount = nodeView.length;
  sortEdges();
  showCounts();
  updateFilterCounts();
  fit();
  state.timing.ready = performance.now() - started;
})();

// The kg network page: reads the graph from inert JSON blocks, draws it with vis-network,
// and builds tooltips, legend, filters and search. Document text is only ever set with
// textContent (or as a plain-text canvas label), never parsed as HTML.
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

  function source(ev) {
    var parts = [ev.title || ev.document];
    if (ev.date) { parts.push("(" + ev.date + ")"); }
    if (ev.title && ev.document) { parts.push("[" + ev.document + "]"); }
    return parts.join(" ");
  }

  function evidenceBlock(ev, lead) {
    var box = el("div", "kg-ev");
    if (lead) { box.appendChild(el("div", "kg-ev-relation", lead)); }
    box.appendChild(el("div", "kg-ev-source", source(ev)));
    box.appendChild(el("div", "kg-ev-sentence", ev.sentence));
    return box;
  }

  function nodeTooltip(info) {
    var box = el("div", "kg-tip");
    box.appendChild(el("div", "kg-tip-title", info.label));
    box.appendChild(el("div", "kg-tip-kind", info.kind || "(untyped)"));
    if (info.aliases.length) {
      box.appendChild(el("div", "kg-tip-aliases", "also called: " + info.aliases.join(", ")));
    }
    if (info.text && info.text !== info.label) {
      box.appendChild(el("div", "kg-ev-sentence", info.text));
    }
    info.evidence.forEach(function (ev) {
      box.appendChild(evidenceBlock(ev, ev.relation + " · " + ev.other));
    });
    if (info.more) {
      box.appendChild(el("div", "kg-tip-more", "… and " + info.more + " more sentence(s)"));
    }
    return box;
  }

  function edgeTooltip(info) {
    var box = el("div", "kg-tip");
    box.appendChild(el("div", "kg-tip-title", info.subject + " — " + info.label + " → " + info.object));
    if (info.sentence || info.document) { box.appendChild(evidenceBlock(info)); }
    if (info.pattern) {
      box.appendChild(el("div", "kg-tip-rule", "rule " + info.pattern + ", confidence " + info.confidence));
    }
    return box;
  }

  var started = performance.now();
  var nodeItems = read("kg-nodes");
  var edgeItems = read("kg-edges");
  var options = read("kg-options");
  var meta = read("kg-meta");

  nodeItems.forEach(function (n) { n.title = nodeTooltip(n.kg); });
  edgeItems.forEach(function (e) { e.title = edgeTooltip(e.kg); });

  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var shownRelations = new Set(meta.relations.map(function (r) { return r.name; }));
  var shownDocuments = new Set(meta.documents.map(function (d) { return d.id; }));
  var visibleNodes = null; // null: every node; else the ends of the edges that pass the filters

  var edgeView = new vis.DataView(edges, {
    filter: function (e) { return shownRelations.has(e.kg.relation) && shownDocuments.has(e.kg.document); }
  });
  var nodeView = new vis.DataView(nodes, {
    filter: function (n) { return visibleNodes === null || visibleNodes.has(n.id); }
  });

  var counts = document.getElementById("kg-counts");
  function showCounts() {
    counts.textContent = nodeView.length + " of " + nodes.length + " nodes, " +
      edgeView.length + " of " + edges.length + " edges";
  }

  function applyFilters() {
    var all = shownRelations.size === meta.relations.length &&
      shownDocuments.size === meta.documents.length;
    edgeView.refresh();
    if (all) {
      visibleNodes = null;
    } else {
      visibleNodes = new Set();
      edgeView.forEach(function (e) { visibleNodes.add(e.from); visibleNodes.add(e.to); });
    }
    nodeView.refresh();
    showCounts();
  }

  var container = document.getElementById("kg-network");
  var loading = document.getElementById("kg-loading");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, options);

  var state = {
    nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, network: network,
    stable: false, focus: null, timing: { drawn: performance.now() - started }
  };
  window.kg = state;

  function settled() {
    // Stop the simulation for good: a big graph must not keep the CPU busy.
    network.setOptions({ physics: { enabled: false } });
    loading.classList.add("done");
    state.timing.stable = performance.now() - started;
    state.stable = true;
  }
  network.on("stabilizationProgress", function (p) {
    loading.textContent = "Laying out the graph… " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", settled);
  if (!options.physics.enabled || nodes.length === 0) { settled(); }

  // legend
  function legendItem(listId, markClass, colour, name, count) {
    var item = el("li");
    var mark = el("span", markClass);
    mark.style.background = colour;
    item.appendChild(mark);
    item.appendChild(document.createTextNode(count === undefined ? name : name + " "));
    if (count !== undefined) { item.appendChild(el("span", "kg-count", "(" + count + ")")); }
    document.getElementById(listId).appendChild(item);
  }
  meta.classes.forEach(function (c) { legendItem("kg-legend", "kg-swatch", c.colour, c.name, c.count); });
  meta.edgeKinds.forEach(function (k) { legendItem("kg-edge-legend", "kg-line", k.colour, k.name); });

  // filters
  function checkboxes(containerId, entries, shown, text) {
    var box = document.getElementById(containerId);
    entries.forEach(function (entry) {
      var label = el("label");
      var input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = entry.key;
      input.addEventListener("change", function () {
        if (input.checked) { shown.add(entry.key); } else { shown.delete(entry.key); }
        applyFilters();
      });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + text(entry) + " "));
      label.appendChild(el("span", "kg-count", "(" + entry.count + ")"));
      box.appendChild(label);
    });
  }
  checkboxes("kg-relations", meta.relations.map(function (r) {
    return { key: r.name, label: r.label, count: r.count };
  }), shownRelations, function (r) { return r.label; });
  checkboxes("kg-documents", meta.documents.map(function (d) {
    return { key: d.id, title: d.title, date: d.date, count: d.count };
  }), shownDocuments, function (d) { return (d.date ? d.date + " " : "") + (d.title || d.key); });

  var sets = { "kg-relations": shownRelations, "kg-documents": shownDocuments };
  Array.prototype.forEach.call(document.querySelectorAll("button.kg-all, button.kg-none"), function (button) {
    button.addEventListener("click", function () {
      var on = button.classList.contains("kg-all");
      var target = button.getAttribute("data-target");
      Array.prototype.forEach.call(document.querySelectorAll("#" + target + " input"), function (input) {
        input.checked = on;
        if (on) { sets[target].add(input.value); } else { sets[target].delete(input.value); }
      });
      applyFilters();
    });
  });

  // search
  var labels = document.getElementById("kg-labels");
  var seenLabels = new Set();
  nodeItems.forEach(function (n) {
    if (!seenLabels.has(n.kg.label)) {
      seenLabels.add(n.kg.label);
      var option = el("option");
      option.value = n.kg.label;
      labels.appendChild(option);
    }
  });

  function findNode(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return null; }
    var best = null;
    var bestRank = 4;
    nodeItems.forEach(function (n) {
      var label = n.kg.label.toLowerCase();
      var rank = label === q ? 0 : label.indexOf(q) === 0 ? 1 : label.indexOf(q) >= 0 ? 2 :
        n.kg.aliases.some(function (a) { return a.toLowerCase().indexOf(q) >= 0; }) ? 3 : 4;
      if (rank < bestRank || (rank === bestRank && best && n.value > best.value)) {
        best = n;
        bestRank = rank;
      }
    });
    return bestRank < 4 ? best : null;
  }

  var status = document.getElementById("kg-search-status");
  state.focus = function (query) {
    var node = findNode(query);
    if (!node) {
      status.textContent = "no node matches";
      return null;
    }
    if (!nodeView.get(node.id)) {
      status.textContent = node.kg.label + " is hidden by the filters";
      return node.id;
    }
    network.selectNodes([node.id]);
    network.focus(node.id, { scale: 1.3, animation: { duration: 400 } });
    status.textContent = node.kg.label + " (" + node.kg.kind + ")";
    return node.id;
  };
  document.getElementById("kg-search").addEventListener("submit", function (event) {
    event.preventDefault();
    state.focus(document.getElementById("kg-search-input").value);
  });

  showCounts();
})();

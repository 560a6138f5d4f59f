var nodes, edges, network;
(function () {
  "use strict";
  // Tooltips are DOM nodes filled with textContent: article text is never parsed as HTML.
  function tip(lines) {
    var box = document.createElement("div");
    box.className = "kg-tip";
    lines.forEach(function (line) {
      var row = document.createElement("div");
      if (line[0]) {
        var key = document.createElement("b");
        key.textContent = line[0] + " : ";
        row.appendChild(key);
      } else {
        row.className = "kg-tip-head";
      }
      row.appendChild(document.createTextNode(line[1]));
      box.appendChild(row);
    });
    return box;
  }
  function withTips(items) {
    return items.map(function (item) {
      item.title = tip(item.tip);
      delete item.tip;
      return item;
    });
  }
  var status = document.getElementById("kg-status");
  var data = kgViewData;  // set by the page, before this script
  nodes = new vis.DataSet(withTips(data.nodes));
  edges = new vis.DataSet(withTips(data.edges));
  network = new vis.Network(document.getElementById("kg-network"), {nodes: nodes, edges: edges},
                            data.options);
  network.once("afterDrawing", function () {
    var n = network.body.data.nodes.length, m = network.body.data.edges.length;
    document.body.dataset.kgNodes = String(n);
    document.body.dataset.kgEdges = String(m);
    status.textContent = n + " nœuds et " + m + " liens dessinés";
  });
  // Once laid out, freeze: a settled page should not keep moving or burning CPU. The
  // explicit redraw paints the final layout at once, without waiting for an animation frame
  // (which a background tab or a headless browser may never schedule).
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
    network.redraw();
  });
})();

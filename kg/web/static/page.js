(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function $(id) { return document.getElementById(id); }
  var editor = $("kg-query"), table = $("kg-results"), text = $("kg-text"), status = $("kg-result-status"),
      errorBox = $("kg-error"), description = $("kg-canned-description");
  var endpoint = location.origin + data.endpoint;
  $("kg-endpoint").textContent = endpoint;
  $("kg-summary").textContent = data.counts.articles + (data.counts.articles === 1 ? " article, " : " articles, ") +
    data.counts.triples + " triplets";

  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }
  function shorten(iri) { return kgShorten(iri, data.prefixes); }
  function entityLink(iri, label) {
    var a = document.createElement("a");
    a.href = "/entity?iri=" + encodeURIComponent(iri);
    a.textContent = label || shorten(iri);
    a.title = iri;
    return a;
  }
  function cell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      td.appendChild(entityLink(term.value));
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) {
        var lang = document.createElement("span");
        lang.className = "kg-lang";
        lang.textContent = "@" + term["xml:lang"];
        td.appendChild(lang);
      }
    }
    return td;
  }
  function reset() {
    errorBox.hidden = true;
    clear(errorBox);
    clear(table);
    text.hidden = true;
    text.textContent = "";
  }
  function finish(rows, message) {
    status.textContent = message;
    document.body.dataset.kgRows = String(rows);
    document.body.dataset.kgState = "done";
  }
  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    status.textContent = "erreur";
    document.body.dataset.kgState = "error";
  }
  function showSolutions(json, ms) {
    var vars = json.head.vars || [], rows = json.results.bindings;
    var head = document.createElement("thead"), tr = document.createElement("tr");
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.textContent = v;
      tr.appendChild(th);
    });
    head.appendChild(tr);
    table.appendChild(head);
    var body = document.createElement("tbody");
    rows.forEach(function (b) {
      var row = document.createElement("tr");
      vars.forEach(function (v) { row.appendChild(cell(b[v])); });
      body.appendChild(row);
    });
    table.appendChild(body);
    finish(rows.length, rows.length + (rows.length === 1 ? " ligne" : " lignes") + " en " + ms + " ms");
  }
  function run(query) {
    reset();
    status.textContent = "requête en cours…";
    document.body.dataset.kgState = "running";
    var started = Date.now();
    $("kg-download-csv").href = data.endpoint + "?format=csv&query=" + encodeURIComponent(query);
    $("kg-download-json").href = data.endpoint + "?format=json&query=" + encodeURIComponent(query);
    fetch(data.endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, application/n-triples;q=0.9, text/plain;q=0.5"},
      body: query
    }).then(function (response) {
      return response.text().then(function (body) {
        return {ok: response.ok, status: response.status, type: response.headers.get("Content-Type") || "",
                body: body};
      });
    }).then(function (res) {
      var ms = Date.now() - started;
      if (!res.ok) { showError("HTTP " + res.status + " — " + res.body); return; }
      if (res.type.indexOf("json") >= 0) {
        var json = JSON.parse(res.body);
        if (Object.prototype.hasOwnProperty.call(json, "boolean")) {
          text.hidden = false;
          text.textContent = String(json["boolean"]);
          finish(1, "réponse : " + json["boolean"]);
        } else {
          showSolutions(json, ms);
        }
      } else {
        text.hidden = false;
        text.textContent = res.body;
        var n = res.body.split("\n").filter(function (l) { return l.trim(); }).length;
        finish(n, n + " triplets en " + ms + " ms");
      }
    }).catch(function (err) { showError(String(err)); });
  }
  function select(name) {
    var q = data.canned.filter(function (c) { return c.name === name; })[0];
    if (!q) { return null; }
    editor.value = q.text;
    description.textContent = q.description;
    Array.prototype.forEach.call(document.querySelectorAll("#kg-canned button"), function (b) {
      b.classList.toggle("kg-current", b.dataset.query === name);
    });
    document.body.dataset.kgQuery = name;
    return q;
  }
  data.canned.forEach(function (q) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = q.name;
    b.title = q.description;
    b.dataset.query = q.name;
    b.addEventListener("click", function () { if (select(q.name)) { run(editor.value); } });
    $("kg-canned").appendChild(b);
  });
  $("kg-run").addEventListener("click", function () { run(editor.value); });
  editor.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(editor.value); }
  });
  function literal(s) {
    var body = s.replace(/\\/g, "\\\\").replace(/"/g, "\\\"");
    return "\"" + body.replace(/\n/g, "\\n").replace(/\r/g, "\\r") + "\"";
  }
  $("kg-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var wanted = $("kg-search-text").value.trim();
    if (!wanted) { return; }
    editor.value = "PREFIX schema: <https://schema.org/>\n" +
      "SELECT DISTINCT ?entity ?name ?type WHERE {\n" +
      "  ?entity schema:name ?name ; a ?type .\n" +
      "  OPTIONAL { ?entity schema:alternateName ?alt }\n" +
      "  FILTER(CONTAINS(LCASE(STR(?name)), LCASE(" + literal(wanted) + ")) ||\n" +
      "         CONTAINS(LCASE(STR(?alt)), LCASE(" + literal(wanted) + ")))\n" +
      "} ORDER BY ?name LIMIT 100";
    description.textContent = "Entités dont le nom contient « " + wanted + " »";
    run(editor.value);
  });

  // The network view: report what it drew, and open an entity's page from a click on its node.
  var frame = $("kg-view"), viewStatus = $("kg-view-status"), selected = $("kg-selected");
  frame.addEventListener("load", function () {
    var tries = 0;
    (function poll() {
      var win = frame.contentWindow, doc = frame.contentDocument;
      var drawn = doc && doc.body && doc.body.dataset.kgNodes;
      if (drawn !== undefined && drawn !== null) {
        document.body.dataset.viewNodes = doc.body.dataset.kgNodes;
        document.body.dataset.viewEdges = doc.body.dataset.kgEdges;
        viewStatus.textContent = "Réseau : " + doc.body.dataset.kgNodes + " entités, " +
          doc.body.dataset.kgEdges + " liens. Cliquez sur une entité pour ouvrir sa page.";
        if (win.network) {
          win.network.on("click", function (params) {
            if (!params.nodes.length) { return; }
            var id = params.nodes[0], item = win.nodes.get(id);
            clear(selected);
            selected.appendChild(document.createTextNode("Entité : "));
            selected.appendChild(entityLink(String(id), item && item.label ? String(item.label) : ""));
          });
        }
      } else if (tries++ < 100) {
        setTimeout(poll, 200);
      }
    })();
  });

  var params = new URLSearchParams(location.search);
  if (params.get("run") && select(params.get("run"))) {
    run(editor.value);
  } else if (params.get("query")) {
    editor.value = params.get("query");
    run(editor.value);
  } else {
    select(data.canned.length ? data.canned[0].name : "");
  }
})();

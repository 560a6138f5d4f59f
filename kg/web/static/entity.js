(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function shorten(iri) { return kgShorten(iri, data.prefixes); }
  function entityLink(iri, label) {
    var a = el("a", label || shorten(iri));
    a.href = "/entity?iri=" + encodeURIComponent(iri);
    a.title = iri;
    return a;
  }
  function term(t, label) {
    if (!t) { return el("span", label || ""); }
    if (t.type === "uri") { return entityLink(t.value, label); }
    return el("span", label || t.value);
  }
  function articleCell(id) {
    var td = el("td");
    if (!id) { return td; }
    var a = data.articles[id];
    if (!a) { td.textContent = id; return td; }
    td.appendChild(entityLink(a.iri, a.headline || id));
    if (a.date) { td.appendChild(el("div", a.date, "kg-muted")); }
    if (a.url && /^https?:\/\//i.test(a.url)) {
      var ext = el("a", "source ↗");
      ext.href = a.url;
      ext.rel = "noopener noreferrer";
      ext.target = "_blank";
      var line = el("div", null, "kg-muted");
      line.appendChild(ext);
      td.appendChild(line);
    }
    return td;
  }
  var main = document.getElementById("kg-entity");
  document.title = (data.name || shorten(data.iri)) + " — newskg";
  main.appendChild(el("h1", data.name || shorten(data.iri)));
  main.appendChild(el("div", data.iri, "kg-iri"));
  if (!data.found) {
    main.appendChild(el("p", "Le graphe ne dit rien de cet IRI."));
    return;
  }
  var types = el("p");
  data.types.forEach(function (t) { types.appendChild(el("span", t.label, "kg-type")); });
  if (data.types.length) {
    var view = el("a", "voir dans le réseau");
    view.href = "/view?depth=1&focus=" + encodeURIComponent(data.iri);
    types.appendChild(view);
  }
  main.appendChild(types);
  if (data.alternateNames.length) {
    main.appendChild(el("p", "Autres noms : " + data.alternateNames.join(" ; ")));
  }
  if (data.facts.length) {
    main.appendChild(el("h2", "Faits (" + data.facts.length + "), chacun avec sa preuve"));
    var table = el("table");
    table.id = "kg-facts";
    var head = el("tr");
    ["Relation", "Valeur", "Phrase (preuve)", "Article", "Confiance"].forEach(function (h) {
      head.appendChild(el("th", h));
    });
    table.appendChild(head);
    data.facts.forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("td", f.propertyLabel));
      var value = el("td");
      if (f.property === "https://schema.org/author" || f.property === "https://schema.org/about") {
        value.appendChild(entityLink(f.value.value, "la déclaration"));
      } else if (f.property === "https://schema.org/mentions") {
        value.textContent = "";
      } else {
        value.appendChild(term(f.value, f.valueLabel));
      }
      tr.appendChild(value);
      var ev = el("td");
      if (f.evidence) { ev.appendChild(el("blockquote", "« " + f.evidence + " »")); }
      tr.appendChild(ev);
      tr.appendChild(articleCell(f.article));
      tr.appendChild(el("td", f.confidence || ""));
      table.appendChild(tr);
    });
    main.appendChild(table);
  }
  [["outgoing", "Triplets dont il est le sujet"], ["incoming", "Triplets dont il est l’objet"]].forEach(
    function (pair) {
      var part = data[pair[0]];
      if (!part.rows.length) { return; }
      var details = el("details");
      details.appendChild(el("summary", pair[1] + " (" + part.total + ")"));
      var table = el("table");
      part.rows.forEach(function (r) {
        var tr = el("tr");
        tr.appendChild(el("td", shorten(r.p)));
        var td = el("td");
        td.appendChild(term(r.o, r.label));
        tr.appendChild(td);
        table.appendChild(tr);
      });
      details.appendChild(table);
      if (part.total > part.rows.length) {
        details.appendChild(el("p", part.rows.length + " affichés sur " + part.total, "kg-muted"));
      }
      main.appendChild(details);
    });
  document.body.dataset.kgFacts = String(data.facts.length);
})();

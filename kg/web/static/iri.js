// Shared by the pages: prefix:local for the longest namespace an IRI starts with (as kg.query.shorten).
function kgShorten(iri, prefixes) {
  "use strict";
  var bestPrefix = null, bestNs = "";
  Object.keys(prefixes).forEach(function (p) {
    var ns = prefixes[p];
    if (iri.indexOf(ns) === 0 && ns.length > bestNs.length) { bestPrefix = p; bestNs = ns; }
  });
  return bestPrefix === null ? iri : bestPrefix + ":" + iri.slice(bestNs.length);
}

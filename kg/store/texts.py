"""The export texts' database, beside the store's (``export-texts/``, in each snapshot too).

``export-texts/`` (a second Oxigraph database, in each snapshot too) keeps every article
graph as the text an export writes (:class:`kg.export.texts.ExportText`: N-Triples and Turtle,
made where the article was extracted), so that ``kg export`` concatenates texts instead of
reading every term back from the database (about five seconds per million triples on
two cores). A text is used only if its key names the content hash its graph holds now:
each write of an article graph first drops (or replaces) its text, and the hash is written
last, so a text is never newer or older than what it says it is. Graphs without a valid
text (the entities graph, articles written by :meth:`Store.replace_article`, stores made
before texts existed) are read from the database as before. The texts cost about as much
disk as the database itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.export.texts import ExportText, export_key
from kg.store.snapshots import EXPORT_TEXTS_DIR

# One subject per article graph (its IRI), a literal per part. These IRIs name nothing in
# the graph: they stay in this database.
_TEXT_PARTS = {part: ox.NamedNode(f"urn:newskg:export-text:{part}")
               for part in ("key", "own", "own_count", "shared", "turtle")}
_TEXT_KEY, _TEXT_OWN, _TEXT_OWN_COUNT, _TEXT_SHARED, _TEXT_TURTLE = _TEXT_PARTS.values()
_TEXT_PREDICATES = tuple(_TEXT_PARTS.values())


class ExportTexts:
    """The export texts of the store at ``path`` whose database is at ``location``; they are
    opened when first needed (and created by the first text kept). ``enabled`` False: none
    are read or kept (a derived copy of the store, :func:`kg.export.confident_view`)."""

    def __init__(self, path: Path, location: Path, read_only: bool, enabled: bool = True) -> None:
        self.path = path  # the store's folder, for messages
        self.folder = location / EXPORT_TEXTS_DIR
        self.read_only = read_only
        self.enabled = enabled
        self._db: ox.Store | None = None

    def close(self) -> None:
        self._db = None

    def database(self, create: bool) -> ox.Store | None:
        """The database; None when there is none (and ``create`` is False) or texts are off."""
        if self._db is None and self.enabled:
            try:
                if self.read_only:
                    self._db = ox.Store.read_only(str(self.folder)) if self.folder.is_dir() else None
                elif create or self.folder.is_dir():
                    self._db = ox.Store(str(self.folder))
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot open the export texts ({self.folder}): {exc}") from exc
        return self._db

    def put(self, texts: Iterable[ExportText], drop: Iterable[str] = ()) -> None:
        """Drop the texts of the graphs ``drop`` and of ``texts``, then keep ``texts``."""
        texts = list(texts)
        self.drop([*drop, *(t.graph for t in texts)])
        if not texts:
            return
        db = self.database(create=True)
        assert db is not None
        # The bulk loader writes sorted files directly: a transaction would push ~200 kB an
        # article through RocksDB's log and compactions (6 % of a build's time instead of 1 %).
        # It is not atomic, but a text is used only once all its parts are there.
        db.bulk_extend([ox.Quad(ox.NamedNode(t.graph), predicate, ox.Literal(value))
                        for t in texts
                        for predicate, value in ((_TEXT_KEY, t.key), (_TEXT_OWN, t.own),
                                                 (_TEXT_OWN_COUNT, str(t.own_count)), (_TEXT_SHARED, t.shared),
                                                 (_TEXT_TURTLE, t.turtle))])

    def drop(self, graphs: Iterable[str]) -> None:
        db = self.database(create=False)
        if db is None:
            return
        for name in graphs:  # the key first: a text without its key is never used
            for predicate in _TEXT_PREDICATES:
                for quad in list(db.quads_for_pattern(ox.NamedNode(name), predicate, None)):
                    db.remove(quad)

    def valid(self, parts: Iterable[str], hashes: dict[str, str], base: str) -> dict[str, dict[str, str]]:
        """``{graph: {part: text}}`` for the ``parts`` asked, for every graph whose text was made
        from the content hash it holds now (``hashes``: graph -> hash) under the IRI ``base``."""
        db = self.database(create=False)
        if db is None:
            return {}
        parts = list(parts)
        key = export_key("{}", base)
        valid = {q.subject.value for q in db.quads_for_pattern(None, _TEXT_KEY, None)
                 if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
                 and q.subject.value in hashes and q.object.value == key.format(hashes[q.subject.value])}
        texts: dict[str, dict[str, str]] = {graph: {} for graph in valid}
        for part in parts:
            for q in db.quads_for_pattern(None, _TEXT_PARTS[part], None):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal) \
                        and q.subject.value in valid:
                    texts[q.subject.value][part] = q.object.value
        return {graph: found for graph, found in texts.items() if len(found) == len(set(parts))}

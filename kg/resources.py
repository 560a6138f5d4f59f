"""The one way to find the ontology files (``ontology/``), installed or not.

``ontology/`` stays at the top of the repository, and ``kg/ontology`` is a symbolic
link to it: a wheel carries its files as package data (``pyproject.toml``), and an
editable install (``make install``) reads them through the link. So the files are
always beside the package's modules, and nothing looks for them relative to the
repository, which a wheel does not have.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


def ontology_path(*parts: str) -> Path:
    """``kg/ontology/<parts>``: the ontology, the SHACL shapes, or the canned queries.

    A real :class:`~pathlib.Path` rather than a ``Traversable``, because rdflib,
    pyshacl and the query listing take paths; a package installed by pip (wheel or
    editable) is always on the file system, so the conversion loses nothing.
    """
    return Path(str(files("kg").joinpath("ontology", *parts)))


@cache
def query_text(*parts: str) -> str:
    """The SPARQL of ``kg/ontology/queries/<parts>``, read once: the queries a module runs
    (``export/nodes.rq``), kept beside the canned ones rather than inline in the code."""
    return ontology_path("queries", *parts).read_text(encoding="utf-8")

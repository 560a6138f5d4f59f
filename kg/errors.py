"""One error hierarchy for newskg.

Library code raises these; only :mod:`kg.cli` turns them into one-line messages
and exit codes. Every message names the file (and line, where there is one).

The tree::

    KGError
    ├── InputError                 an article cannot be read
    │   └── ArticleError           one article failed at a stage of the build
    ├── StoreError                 the store cannot be opened, read or written
    │   └── StoreLockedError
    ├── QueryError                 a SPARQL query is malformed or fails
    ├── ExportError                an export cannot be written
    ├── ShapesError                the SHACL shapes cannot be read or run
    ├── ValidationError            the graph does not conform
    ├── ModelError                 the spaCy model or the knowledge base cannot be loaded
    ├── PushError                  the endpoint cannot be reached or refuses the graph
    ├── ServeError                 ``kg serve`` cannot start
    └── ArgumentError              a request that does not make sense, refused before any work
        ├── UsageError             the command line itself (raised by kg.cli only)
        ├── FormatError            an unknown output format, or one that does not fit the result
        ├── ViewError              a view that cannot be drawn as asked
        │   └── FocusError         no entity of the focus's name
        ├── EngineError            an engine that is not installed (``--engine dask`` without dask)
        ├── PushSettingsError      (also a PushError) a bad endpoint, graph or timeout
        └── ServeSettingsError     (also a ServeError) a bad port, limit or service prefix

Exceptions of other types that reach the CLI are bugs, reported as such.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error newskg raises on purpose."""


class InputError(KGError):
    """An input article cannot be read or understood."""

    def __init__(self, path: str, problem: str, line: int | None = None) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")


class ArticleError(InputError):
    """One article failed at a stage of the build: ``read``, ``nlp``, ``resolve``, ``rdf``, ``write``
    or ``worker`` (the process analysing it died). The build skips it and goes on."""

    def __init__(self, where: str, stage: str, problem: str, cause: BaseException | None = None) -> None:
        self.stage = stage
        super().__init__(where, f"{stage} stage failed: {problem}")
        self.__cause__ = cause  # its traceback is what --debug shows


def describe(exc: BaseException, limit: int = 300) -> str:
    """An unexpected exception as one line: its class and message, shortened."""
    message = " ".join(str(exc).split())
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class StoreError(KGError):
    """The store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process is writing to the store."""


class QueryError(KGError):
    """A SPARQL query is malformed or fails."""


class ExportError(KGError):
    """An export cannot be written (unknown format, unwritable target)."""


class ShapesError(KGError):
    """The SHACL shapes or the ontology cannot be read, or pyshacl cannot run them."""


class ValidationError(KGError):
    """The graph does not conform to the SHACL shapes."""


class ModelError(KGError):
    """The spaCy model or the knowledge base cannot be loaded."""


class PushError(KGError):
    """``kg push``: the endpoint cannot be reached or refuses the graph."""


class ServeError(KGError):
    """``kg serve`` cannot start: no engine binary, the engine fails, the port is taken."""


class ArgumentError(KGError):
    """A call asks for something that does not make sense (a bad value, an unknown name), said
    before any work starts. The command line exits with status 2 for these, as argparse does."""


class UsageError(ArgumentError):
    """The command line asks for something that does not make sense (an option missing or at
    odds with another). Only :mod:`kg.cli` raises it: library code raises the classes below."""


class FormatError(ArgumentError):
    """An output format that does not exist, or does not fit what is written (N-Triples for a SELECT)."""


class ViewError(ArgumentError):
    """The view cannot be drawn as asked: an unknown entity type, a negative depth, a
    confidence threshold outside [0, 1], a size limit under 1."""


class FocusError(ViewError):
    """The view's focus names no entity (nor an alternate name of one)."""


class EngineError(ArgumentError):
    """The engine asked for is not installed: ``pip install 'newskg[dask]'``."""


class PushSettingsError(PushError, ArgumentError):
    """``kg push`` was given an endpoint, graph or timeout it cannot use; nothing was sent."""


class ServeSettingsError(ServeError, ArgumentError):
    """``kg serve`` was given a port, limit, size or service prefix it cannot use."""

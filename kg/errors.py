"""One error hierarchy for newskg.

Library code raises these; only :mod:`kg.cli` turns them into one-line messages
and exit codes. Every message names the file (and line, where there is one).
"""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error newskg raises on purpose."""

    exit_code = 1


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


class ValidationError(KGError):
    """The graph does not conform to the SHACL shapes."""


class ModelError(KGError):
    """The spaCy model or the knowledge base cannot be loaded."""


class UsageError(KGError):
    """The command line asks for something that does not make sense."""

    exit_code = 2


class ServeError(KGError):
    """``kg serve`` cannot start: no engine binary, the engine fails, the port is taken."""

"""What ``kg serve`` refuses before a query reaches the engine: updates, and outbound calls.

The endpoint is read-only and must never be turned against its host. An update
(``INSERT``, ``LOAD``…) is refused with 403. A ``SERVICE`` clause would make the
engine send an HTTP request wherever the query says (internal services, cloud
metadata addresses, other ports) and copy the answer back: a server-side request
forgery. It is refused with 400 unless the operator allowed its URL prefix
(``--allow-service``). The check reads the parsed algebra (rdflib's parser), not
the text, so comments, prefixes, nesting and ``\\u`` escapes cannot hide one.

Nothing else in a query fetches a URL: Oxigraph does not dereference ``FROM``,
``FROM NAMED``, ``default-graph-uri`` or ``named-graph-uri`` (they only choose
graphs of the store), and ``LOAD`` is an update. The tests check each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

READ_ONLY_MESSAGE = (
    "kg serve is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP…) are refused. "
    "Change the store with `kg build`; to edit the graph elsewhere, `kg push` it to a triple store.\n"
)
_UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
# A SERVICE clause needs these letters, or an escape that rdflib and the spec expand before parsing.
_MAY_CALL_OUT = re.compile(r"service|\\u|\\U", re.IGNORECASE)
# The engine's parser recurses: thousands of nested groups overflow its stack and kill it.
MAX_NESTING = 200
_NOT_CODE = re.compile("|".join((  # what may hold brackets that are not syntax
    r'"""(?:[^\\]|\\.)*?"""', r"'''(?:[^\\]|\\.)*?'''",  # long strings
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",  # strings
    r'<[^<>"{}|^`\\\x00-\x20]*>',  # IRIs
    r"#[^\n]*",  # comments
)), re.DOTALL)
_BRACKETS = re.compile(r"[{}()\[\]]")


class Refusal(Exception):
    """A request the server answers itself, with ``status`` and a one-line ``message``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message if message.endswith("\n") else message + "\n"
        self.headers = headers or {}


def is_update(text: str) -> bool:
    """Whether SPARQL text is an update: its first keyword after the prologue is an update verb."""
    body = re.sub(r"<[^<>\s\"{}|^`\\]*>", "<>", text)  # IRIs first: they may hold a '#'
    body = re.sub(r"#[^\n]*", " ", body)  # then comments
    body = re.sub(r"(?is)^\s*((BASE\s*<>|PREFIX\s+[^\s:]*:\s*<>)\s*)*", "", body)
    word = re.match(r"\s*([A-Za-z]+)", body)
    return bool(word) and word.group(1).upper() in _UPDATE_KEYWORDS  # type: ignore[union-attr]


def check_query(text: str) -> None:
    """Raise :class:`Refusal` for an update (403) or a query nested too deeply (400). Cheap: text only."""
    if is_update(text):
        raise Refusal(403, READ_ONLY_MESSAGE)
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        raise Refusal(400, f"the query is nested {depth} levels deep; this server accepts at most {MAX_NESTING} "
                           "levels of { }, ( ) and [ ]")


def may_call_out(text: str) -> bool:
    """Whether the query could hold a SERVICE clause (else :func:`check_services` is not needed)."""
    return bool(_MAY_CALL_OUT.search(text))


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets in SPARQL text, outside strings, IRIs and comments."""
    code = _NOT_CODE.sub(" ", text)
    depth = deepest = 0
    for char in _BRACKETS.findall(code):
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def check_services(text: str, allow_service: Iterable[str] = ()) -> None:
    """Raise :class:`Refusal` (400) for a SERVICE call to an endpoint the operator did not allow."""
    allowed = tuple(allow_service)
    for target in service_targets(text):
        if target is None:
            raise Refusal(400, "SERVICE with a variable endpoint is refused: kg serve does not call other "
                               "servers for a query (see kg serve --allow-service)")
        if not allowed or not target.startswith(allowed):
            raise Refusal(400, f"SERVICE <{target}> is refused: kg serve does not call other servers for a query; "
                               "the operator can allow an endpoint with kg serve --allow-service URL-PREFIX")


def service_targets(text: str) -> list[str | None]:
    """The endpoint of every SERVICE clause in the query (``None`` for a variable)."""
    try:
        algebra = prepareQuery(text).algebra
    except Exception as exc:  # pyparsing, recursion on deep nesting, bad escapes: all mean "cannot check"
        first = " ".join(str(exc).split())[:200]
        raise Refusal(400, "the query mentions SERVICE (or uses \\u escapes) and could not be checked "
                           f"for outbound calls: {first or type(exc).__name__}") from None
    return [str(node["term"]) if isinstance(node.get("term"), URIRef) else None
            for node in _walk(algebra) if node.name == "ServiceGraphPattern"]


def _walk(node: Any) -> Iterator[CompValue]:
    """Every algebra node under ``node``, iteratively: a deeply nested query must not recurse."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)

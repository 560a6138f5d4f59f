"""The article formats: ``.txt``/``.md``, ``.html``/``.htm`` (trafilatura) and ``.jsonl``.

Each reader turns one file into :class:`~kg.records.Document` records; a problem
with one JSONL record is yielded in its place, a problem with the whole file raised.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.ingest.decoding import decode, detect_language, mojibake, read_bytes
from kg.ingest.walk import HTML_SUFFIXES, JSONL_SUFFIXES, TEXT_SUFFIXES, display_path
from kg.records import Document

MAX_TITLE = 500  # a longer first line is a paragraph, not a headline

Record = Document | InputError


def iter_records(path: str | os.PathLike[str]) -> Iterator[Record]:
    """The documents in one file (several for JSONL), bad JSONL records yielded as errors.

    Raises :class:`InputError` when the file as a whole cannot be used.
    """
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        kind = display_path(path.suffix) or "(no extension)"
        raise InputError(display_path(path), f"unsupported file type {kind}; use .txt, .md, .html or .jsonl")
    _check_name(path)
    yield from reader(path)


def read_documents(path: str | os.PathLike[str]) -> Iterator[Document]:
    """The documents in one file, raising the first problem."""
    for record in iter_records(path):
        if isinstance(record, InputError):
            raise record
        yield record


def _check_name(path: Path) -> None:
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the name would end up in the graph
        raise InputError(display_path(path), "the file name is not valid UTF-8; rename the file") from None

# -- text and HTML -----------------------------------------------------------------

_NON_BLANK = re.compile(r"[^\s\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # only JSON escapes can produce these; UTF-8 cannot encode them
# A short text about cookies that addresses the reader is a consent banner, not an article
# (a news brief about cookies reports on them; it does not ask the reader to accept them).
_BANNER_TOPIC = re.compile(r"cookie|traceurs", re.IGNORECASE)
_BANNER_ADDRESS = re.compile(r"nous utilisons|en cliquant|en poursuivant|votre consentement|tout accepter"
                             r"|tout refuser|vous (?:acceptez|consentez|pouvez)|we use|accept all",
                             re.IGNORECASE)
_MIN_HTML_TEXT = 40
_BANNER_LENGTH = 1000


def is_blank(text: str) -> bool:
    return _NON_BLANK.search(text) is None  # no copy of a large text, unlike text.strip()


def _read_nonblank(path: Path) -> str:
    """The decoded file, refusing empty and whitespace-only files."""
    data, shown = read_bytes(path), display_path(path)
    if not data:
        raise InputError(shown, "empty file")
    text = decode(data, shown)
    if is_blank(text):
        raise InputError(shown, "no text (only whitespace)")
    return text


def text_problem(text: str) -> str | None:
    """What makes ``text`` unfit to be an article's text, if anything."""
    if is_blank(text):
        return "no text" if not text else "no text (only whitespace)"
    surrogate = _SURROGATE.search(text)
    if surrogate:
        return f"invalid character U+{ord(surrogate.group()):04X} (a lone surrogate)"
    sample = mojibake(text)
    if sample:
        return f"contains mojibake ({sample!r} is UTF-8 misread as Windows-1252); fix the text's encoding"
    return None


def checked_text(text: str, where: str) -> str:
    problem = text_problem(text)
    if problem:
        raise InputError(where, problem)
    return text


def _headline(text: str, markdown: bool) -> str | None:
    for match in re.finditer(r"[^\r\n]+", text):  # lazily: the first line of a 20 MB file is enough
        line = match.group().replace("\ufeff", "").strip()
        if markdown:
            line = line.lstrip("#").strip()
        if line:
            return line if len(line) <= MAX_TITLE else None
    return None


def _read_text(path: Path) -> Iterator[Record]:
    text = checked_text(_read_nonblank(path), display_path(path))
    yield Document(identifier=path.name, text=text, source=str(path),
                   title=_headline(text, markdown=path.suffix.lower() == ".md"), lang=detect_language(text))


def _read_html(path: Path) -> Iterator[Record]:
    fields = extract_html(_read_nonblank(path), display_path(path))
    text = checked_text(fields["text"], display_path(path))
    yield Document(
        identifier=url if (url := fields.get("url") or "").startswith(("http://", "https://")) else path.name,
        text=text, source=str(path),
        title=fields.get("title") or None,
        url=fields.get("url") or None,
        date=fields.get("date") or None,
        lang=detect_language(text) or language_code(fields.get("language")),
    )


def extract_html(html: str, where: str) -> dict[str, Any]:
    import trafilatura

    try:
        result = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                             favor_precision=True)
    except Exception as exc:  # a third-party parser on hostile markup: any failure is this file's problem
        raise InputError(where, f"cannot parse the HTML: {display_path(str(exc))}") from None
    fields = {} if result is None else (result.as_dict() if hasattr(result, "as_dict") else dict(result))
    text = fields.get("text") or ""
    if len(text.strip()) < _MIN_HTML_TEXT:
        raise InputError(where, "no article text found in the HTML (only menus or boilerplate)")
    if len(text) < _BANNER_LENGTH and _BANNER_TOPIC.search(text) and _BANNER_ADDRESS.search(text):
        raise InputError(where, "no article text found in the HTML (only a cookie or consent banner)")
    return {**fields, "text": text}


def language_code(value: object) -> str | None:
    return value if isinstance(value, str) and _LANG_TAG.fullmatch(value) else None


# -- JSONL -------------------------------------------------------------------------

_OPTIONAL_FIELDS = ("title", "url", "date", "lang")
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?")

Fail = Callable[[str], InputError]


def _read_jsonl(path: Path) -> Iterator[Record]:
    raw = _read_nonblank(path)
    first_line: dict[str, int] = {}  # id -> line of the record that took it
    for number, line in _numbered_lines(raw):
        if is_blank(line):
            continue
        try:
            doc = _jsonl_document(path, number, line, first_line)
        except InputError as exc:  # one bad record: report it, keep the others
            yield exc
            continue
        first_line[doc.identifier] = number
        yield doc


def _numbered_lines(raw: str) -> Iterator[tuple[int, str]]:
    """Lines split on ``\\n`` only: str.splitlines would also split inside JSON strings (U+2028, ...)."""
    start, number = 0, 1
    while start <= len(raw):
        end = raw.find("\n", start)
        end = len(raw) if end < 0 else end
        line = raw[start:end]
        yield number, line.lstrip("\ufeff") if number == 1 else line  # json.loads refuses a BOM
        start, number = end + 1, number + 1


def _jsonl_document(path: Path, number: int, line: str, first_line: dict[str, int]) -> Document:
    def fail(problem: str) -> InputError:
        return InputError(display_path(path), problem, line=number)

    record = _parse_json(line, fail)
    identifier = _record_id(record, fail)
    if identifier in first_line:
        raise fail(f"duplicate id {identifier!r} (first on line {first_line[identifier]})")
    text = _record_text(record, fail)
    optional = _optional_fields(record, fail)
    return Document(identifier=identifier, text=text, source=f"{path}:{number}", title=optional["title"],
                    url=optional["url"], date=optional["date"],
                    lang=optional["lang"] or detect_language(text))


def _parse_json(line: str, fail: Fail) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise fail(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # huge numbers, absurd nesting
        raise fail(f"invalid JSON: {exc or 'nested too deeply'}") from None
    if not isinstance(record, dict):
        raise fail(f"a line must be a JSON object, not {_json_type(record)}")
    return record


def _record_id(record: dict[str, Any], fail: Fail) -> str:
    value = record.get("id")
    if value is None:
        raise fail("missing field 'id'")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # numeric ids are common in exports; the identifier is their decimal form
    if not isinstance(value, str):
        raise fail(f"field 'id' must be a string, not {_json_type(value)}")
    if is_blank(value) or _SURROGATE.search(value):
        raise fail("field 'id' is empty" if is_blank(value) else "field 'id' has an invalid character")
    return value


def _record_text(record: dict[str, Any], fail: Fail) -> str:
    text = record.get("text")
    if text is None:
        raise fail("missing field 'text'")
    if not isinstance(text, str):
        raise fail(f"field 'text' must be a string, not {_json_type(text)}")
    problem = text_problem(text)
    if problem:
        raise fail(f"field 'text': {problem}")
    return text


def _optional_fields(record: dict[str, Any], fail: Fail) -> dict[str, str | None]:
    fields: dict[str, str | None] = {}
    for key in _OPTIONAL_FIELDS:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise fail(f"field {key!r} must be a string, not {_json_type(value)}")
        if value is not None and _SURROGATE.search(value):
            raise fail(f"field {key!r} has an invalid character")
        fields[key] = None if value is None else (value.strip() or None)
    date_value, lang = fields["date"], fields["lang"]
    if date_value and not _valid_date(date_value):
        raise fail(f"field 'date' must be an ISO 8601 date (2024-06-11) or date-time "
                   f"(2024-06-11T08:30:00+02:00), not {date_value!r}")
    if lang and not _LANG_TAG.fullmatch(lang):
        raise fail(f"field 'lang' must be a language code such as 'fr', not {lang!r}")
    return fields


def _valid_date(value: str) -> bool:
    if not _ISO_DATE.fullmatch(value):
        return False
    try:  # the pattern admits 2024-02-31
        if "T" in value:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _json_type(value: object) -> str:
    kinds = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string"),
             (list, "an array"), (dict, "an object"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


_READERS: dict[str, Callable[[Path], Iterator[Record]]] = {
    **dict.fromkeys(TEXT_SUFFIXES, _read_text),
    **dict.fromkeys(HTML_SUFFIXES, _read_html),
    **dict.fromkeys(JSONL_SUFFIXES, _read_jsonl),
}

"""Read articles from files and folders into :class:`~kg.model.Document` records.

Formats
    ``.txt`` and ``.md`` (the first non-empty line is the headline), ``.html``/``.htm``
    (main text and metadata extracted offline by trafilatura), and ``.jsonl`` (one
    article a line: ``id``, ``text``, optional ``title``, ``url``, ``date``, ``lang``).
    Folders are walked recursively in sorted order, following symbolic links but
    never round a loop; each file is read once. In a folder, hidden entries and
    files of other types are ignored silently; a file of another type named
    explicitly is an error. HTML that yields no article text (menus only, or a
    cookie-consent banner) is an error, not an empty article.

Errors
    Every problem is an :class:`~kg.errors.InputError` naming the file (and the
    line, for JSONL). :func:`iter_inputs` and :func:`iter_records` *yield* errors so
    that one bad file or one bad JSONL line does not lose the rest;
    :func:`iter_paths` and :func:`read_documents` are conveniences that raise the
    first one. Inside :func:`iter_records`, a problem with the whole file (missing,
    unreadable, too large, binary, undecodable, unsupported type) is raised; a
    problem with one JSONL record is yielded. Control characters in file names are
    escaped, so each message stays on one line.

Text as read
    Offsets used later index ``Document.text`` exactly as produced here (for HTML,
    the extracted text). Files are decoded from bytes, never through text-mode
    I/O, so ``\\r\\n`` and lone ``\\r`` line endings stay as they are. A UTF-8
    byte-order mark is kept as U+FEFF at offset 0, because readers that open the
    file with ``encoding="utf-8"`` keep it too (it is ignored for the headline and
    for emptiness). UTF-16/32 with a byte-order mark are decoded likewise.

Encodings
    UTF-8 is expected. Anything else is decoded only when charset-normalizer,
    limited to the Western encodings a French file realistically comes in
    (Windows-1252, which covers Latin-1's printable range, and Latin-9), is
    confident *and* the result looks like French or Western European text (no
    control characters, few non-ASCII letters, no symbols inside words). Files
    that are partly UTF-8, and text that already contains mojibake (UTF-8 misread
    as Windows-1252, such as ``Ã©``), are refused: mojibake never reaches the graph.

Language
    ``Document.lang`` is the language py3langid detects with confidence (``None``
    when the text is too short or the guess is unsure; a JSONL ``lang`` field wins).
    Articles in other languages than French are still returned: the build processes
    them with a warning rather than dropping them, since the French pipeline still
    finds names in English or German text and the user chose to give them.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import ArticleError, InputError, describe
from kg.faults import article_fault
from kg.model import Document

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
MAX_BYTES = 50 * 1024 * 1024
MAX_TITLE = 500  # a longer first line is a paragraph, not a headline

Record = Document | InputError
Inputs = Iterable[str | os.PathLike[str]] | str | os.PathLike[str]


# -- finding files -----------------------------------------------------------------


def iter_sources(inputs: Inputs) -> Iterator[Path | InputError]:
    """Every file to read under ``inputs``, each once; a missing input is yielded as an error."""
    seen: set[Path] = set()
    if isinstance(inputs, str | os.PathLike):  # one path, not the characters of its name
        inputs = [inputs]
    for item in inputs:
        path = Path(item)
        try:
            is_folder = stat.S_ISDIR(path.stat().st_mode)
        except OSError as exc:
            yield InputError(display_path(path), _os_problem(path, exc, missing="no such file or folder"))
            continue
        if is_folder:
            yield from _walk(path, seen)
        elif _first_visit(path, seen):
            yield path


def iter_paths(inputs: Inputs) -> Iterator[Path]:
    """Like :func:`iter_sources`, raising the first error."""
    for source in iter_sources(inputs):
        if isinstance(source, InputError):
            raise source
        yield source


def display_path(path: Path | str) -> str:
    """``path`` for a one-line message: control characters and undecodable bytes escaped."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], str(path))


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _os_problem(path: Path, exc: OSError, missing: str = "no such file") -> str:
    if isinstance(exc, FileNotFoundError):
        return "broken symbolic link" if path.is_symlink() else missing
    known = {PermissionError: "permission denied", IsADirectoryError: "is a folder, not a file"}
    return next((v for k, v in known.items() if isinstance(exc, k)), f"cannot read: {exc.strerror or exc}")


def _first_visit(path: Path, seen: set[Path]) -> bool:
    real = Path(os.path.realpath(path))  # unlike Path.resolve, never raises on a symlink loop
    if real in seen:
        return False
    seen.add(real)
    return True


def _walk(folder: Path, seen: set[Path]) -> Iterator[Path | InputError]:
    failures: list[OSError] = []  # os.walk reports unreadable folders through a callback
    visited_dirs: set[Path] = set()
    for root, dirs, files in os.walk(folder, followlinks=True, onerror=failures.append):
        yield from _walk_failures(failures)
        if not _first_visit(Path(root), visited_dirs):  # a symlink loop: do not go round again
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if path.suffix.lower() in SUPPORTED and not name.startswith(".") and _first_visit(path, seen):
                yield path
    yield from _walk_failures(failures)


def _walk_failures(failures: list[OSError]) -> Iterator[InputError]:
    while failures:
        exc = failures.pop(0)
        yield InputError(display_path(exc.filename), f"cannot read folder: {exc.strerror or exc}")


# -- reading records ---------------------------------------------------------------


def iter_inputs(inputs: Inputs) -> Iterator[Record]:
    """Every document under ``inputs``, in order, with every problem yielded in its place."""
    for source in iter_sources(inputs):
        if isinstance(source, InputError):
            yield source
            continue
        try:
            article_fault("read", source.name)
            yield from iter_records(source)
        except Exception as exc:  # the file is unusable (or a bug or library failed on it): go on with the next
            yield exc if isinstance(exc, InputError) else ArticleError(display_path(source), "read", describe(exc), exc)


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


# -- bytes -------------------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing folders, pipes and devices and anything over :data:`MAX_BYTES`."""
    where = display_path(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(where, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):  # opening a pipe would wait for a writer forever
            raise InputError(where, "not a regular file (a pipe, socket or device)")
        _check_size(where, info.st_size)
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)  # never more than the limit, even if it grew meanwhile
    except OSError as exc:
        raise InputError(where, _os_problem(path, exc)) from None
    _check_size(where, len(data))
    return data


def _check_size(where: str, size: int) -> None:
    if size > MAX_BYTES:
        raise InputError(where, f"file too large: {size:,} bytes, over the limit of {MAX_BYTES:,} bytes "
                                f"({MAX_BYTES / 2**20:g} MB); split it")


# -- decoding ----------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"), (b"%PDF-", "PDF document"), (b"PK\x03\x04", "ZIP archive or office document"),
    (b"\x1f\x8b", "gzip archive"), (b"\xd0\xcf\x11\xe0", "Microsoft Office document"),
    (b"\x7fELF", "executable"),
)  # signatures in printable bytes matter most: NUL bytes catch the rest
# UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
_LEGACY = {"cp1252": "Windows-1252", "iso8859_15": "Latin-9"}
_MAX_CHAOS = 0.1  # charset-normalizer's "mess" ratio; French cp1252 text scores about 0.02
_WHITESPACE_CONTROLS = set("\t\n\v\f\r")
# Characters French text is made of: UTF-8 sequences decoding to one of them are not chance.
_FRENCH_NON_ASCII = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ«»‘’“”…–—€")
# Symbols that never sit between two letters in French, but do when another code page is misread.
_ODD_IN_WORD = re.compile(r"[^\W\d_][¡¢¤¥¦¨ª¬¯±²³µ¶¸¹º¼½¾¿×÷ƒˆ‰†‡•˜™][^\W\d_]")
_FRENCH_RE = re.compile(f"[{''.join(sorted(_FRENCH_NON_ASCII))}]")
# A UTF-8 lead byte and its continuation bytes, as Windows-1252 or Latin-1 shows them.
_CONTINUATION = "[\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]"
_MOJIBAKE = re.compile(f"[ÂÃÅ]{_CONTINUATION}|â{_CONTINUATION}{{2}}")
_PLAUSIBILITY_SAMPLE = 200_000


def decode(data: bytes, where: str) -> str:
    """The text of a file's bytes, as read: UTF-8, or a Western encoding only when that is sure."""
    kind = _binary_kind(data)
    if kind:
        raise InputError(where, f"binary file ({kind}), not text")
    text = _decode_with_bom(data, where)
    if text is None:
        if b"\x00" in data:
            raise InputError(where, "binary file (contains NUL bytes), not text")
        try:
            text = data.decode("utf-8")  # keeps a BOM as U+FEFF, like open(encoding="utf-8")
        except UnicodeDecodeError as exc:
            text = _decode_legacy(data, where, exc)
    if _control_ratio(text) > 0.01:
        raise InputError(where, "binary file (control characters), not text")
    return text


def _binary_kind(data: bytes) -> str | None:
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


def _decode_with_bom(data: bytes, where: str) -> str | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)  # the explicit-endian codecs keep the BOM as U+FEFF
            except UnicodeDecodeError:
                problem = f"invalid {codec.upper()} text (despite its byte-order mark)"
                raise InputError(where, problem) from None
    return None


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    controls = sum(1 for c in sample if (c < " " and c not in _WHITESPACE_CONTROLS) or c == "\x7f")
    return controls / max(1, len(sample))


def _decode_legacy(data: bytes, where: str, error: UnicodeDecodeError) -> str:
    bad = f"not valid UTF-8 (byte 0x{data[error.start]:02X} at offset {error.start})"
    if _partly_utf8(data):
        raise InputError(where, f"{bad}, yet other parts are UTF-8: mixed encodings; re-save it as UTF-8")
    codec = _detect_legacy(data)
    if codec is None:
        raise InputError(where, f"{bad}, and not confidently Windows-1252 or Latin-9 either; "
                                "re-save it as UTF-8")
    try:
        text = data.decode(codec)  # detection looks at samples: decode everything strictly
    except UnicodeDecodeError:
        problem = f"{bad}, and not valid {_LEGACY[codec]} either; re-save it as UTF-8"
        raise InputError(where, problem) from None
    reason = _implausible(text)
    if reason:
        raise InputError(where, f"{bad}; read as {_LEGACY[codec]} it does not look like French text "
                                f"({reason}); re-save it as UTF-8")
    return text


def _partly_utf8(data: bytes) -> bool:
    """Valid UTF-8 sequences for French characters next to invalid bytes: two encodings mixed."""
    return _FRENCH_RE.search(data.decode("utf-8", errors="ignore")) is not None


def _detect_legacy(data: bytes) -> str | None:
    """The Western encoding charset-normalizer is sure of, or ``None`` if unsure or undecided."""
    from charset_normalizer import from_bytes

    matches = sorted((m for m in from_bytes(data, cp_isolation=list(_LEGACY)) if m.chaos <= _MAX_CHAOS),
                     key=lambda m: m.chaos)
    if not matches:
        return None
    best = matches[0]
    rivals = [m for m in matches[1:] if m.chaos == best.chaos and str(m) != str(best)]
    return None if rivals else str(best.encoding)


def _implausible(text: str) -> str | None:
    """Why ``text`` cannot be French (or Western European) text, or ``None`` if it can."""
    if re.search("[\x80-\x9f]", text):
        return "control characters"
    sample = text[:_PLAUSIBILITY_SAMPLE]
    letters = sum(1 for c in sample if c.isalpha())
    accented = sum(1 for c in sample if c > "\x7f" and c.isalpha())
    if accented > 0.3 * letters:
        return "most letters are accented"
    odd = _ODD_IN_WORD.search(text)
    if odd:
        return f"symbols inside words, such as {odd.group()!r}"
    return None


def mojibake(text: str) -> str | None:
    """A sample of UTF-8 misread as Windows-1252 or Latin-1 (``Ã©`` for ``é``), if ``text`` has one."""
    for match in _MOJIBAKE.finditer(text):
        for codec in ("cp1252", "latin-1"):
            try:
                repaired = match.group().encode(codec).decode("utf-8")
            except UnicodeError:
                continue
            if any(c in _FRENCH_NON_ASCII for c in repaired):
                return match.group()
    return None


# -- language ----------------------------------------------------------------------


@cache
def _language_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, min_probability: float = 0.8) -> str | None:
    """The language code of ``text`` ("fr", "en"), or ``None`` when it is too short or the guess is unsure."""
    sample = text[:5000].strip()
    if len(sample) < 20:
        return None
    lang, probability = _language_identifier().classify(sample)
    return str(lang) if probability >= min_probability else None


# -- formats -----------------------------------------------------------------------

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


def _is_blank(text: str) -> bool:
    return _NON_BLANK.search(text) is None  # no copy of a large text, unlike text.strip()


def _read_nonblank(path: Path) -> str:
    """The decoded file, refusing empty and whitespace-only files."""
    data, shown = read_bytes(path), display_path(path)
    if not data:
        raise InputError(shown, "empty file")
    text = decode(data, shown)
    if _is_blank(text):
        raise InputError(shown, "no text (only whitespace)")
    return text


def _text_problem(text: str) -> str | None:
    """What makes ``text`` unfit to be an article's text, if anything."""
    if _is_blank(text):
        return "no text" if not text else "no text (only whitespace)"
    surrogate = _SURROGATE.search(text)
    if surrogate:
        return f"invalid character U+{ord(surrogate.group()):04X} (a lone surrogate)"
    sample = mojibake(text)
    if sample:
        return f"contains mojibake ({sample!r} is UTF-8 misread as Windows-1252); fix the text's encoding"
    return None


def _checked_text(text: str, where: str) -> str:
    problem = _text_problem(text)
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
    text = _checked_text(_read_nonblank(path), display_path(path))
    yield Document(identifier=path.name, text=text, source=str(path),
                   title=_headline(text, markdown=path.suffix.lower() == ".md"), lang=detect_language(text))


def _read_html(path: Path) -> Iterator[Record]:
    fields = _extract_html(_read_nonblank(path), display_path(path))
    text = _checked_text(fields["text"], display_path(path))
    yield Document(
        identifier=url if (url := fields.get("url") or "").startswith(("http://", "https://")) else path.name,
        text=text, source=str(path),
        title=fields.get("title") or None,
        url=fields.get("url") or None,
        date=fields.get("date") or None,
        lang=detect_language(text) or _language_code(fields.get("language")),
    )


def _extract_html(html: str, where: str) -> dict[str, Any]:
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


def _language_code(value: object) -> str | None:
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
        if _is_blank(line):
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
    if _is_blank(value) or _SURROGATE.search(value):
        raise fail("field 'id' is empty" if _is_blank(value) else "field 'id' has an invalid character")
    return value


def _record_text(record: dict[str, Any], fail: Fail) -> str:
    text = record.get("text")
    if text is None:
        raise fail("missing field 'text'")
    if not isinstance(text, str):
        raise fail(f"field 'text' must be a string, not {_json_type(text)}")
    problem = _text_problem(text)
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

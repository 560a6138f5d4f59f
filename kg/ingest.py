"""Read articles from files and folders into :class:`~kg.model.Document` records.

Supported: ``.txt`` and ``.md`` (the first non-empty line is the headline),
``.html``/``.htm`` (main text and metadata extracted offline by trafilatura), and
``.jsonl`` (one article a line: ``id``, ``text``, optional ``title``, ``url``,
``date``, ``lang``). Folders are walked recursively, in sorted order.

Offsets used later index ``Document.text`` exactly as produced here: the file
decoded as UTF-8 with no normalisation (for HTML, the extracted text).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from kg.errors import InputError
from kg.model import Document

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
MAX_BYTES = 50 * 1024 * 1024


def iter_paths(inputs: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Every supported file under ``inputs``, each once, folders in sorted order."""
    seen: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise InputError(str(path), "no such file or folder")
        if path.is_dir():
            yield from _walk(path, seen)
        elif path.resolve() not in seen:
            seen.add(path.resolve())
            yield path


def _walk(folder: Path, seen: set[Path]) -> Iterator[Path]:
    visited_dirs: set[Path] = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        real = Path(root).resolve()
        if real in visited_dirs:  # a symlink loop: do not go round again
            dirs[:] = []
            continue
        visited_dirs.add(real)
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.suffix.lower() in SUPPORTED and not name.startswith(".") and path.resolve() not in seen:
                seen.add(path.resolve())
                yield path


def read_documents(path: Path) -> Iterator[Document]:
    """The documents in one file (several for JSONL)."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path)
    elif suffix in HTML_SUFFIXES:
        yield _read_html(path)
    elif suffix in TEXT_SUFFIXES:
        yield _read_text(path)
    else:
        raise InputError(str(path), f"unsupported file type {suffix or '(none)'}; use .txt, .md, .html or .jsonl")


def detect_language(text: str) -> str | None:
    import py3langid

    sample = text[:5000].strip()
    if len(sample) < 20:
        return None
    lang, _ = py3langid.classify(sample)
    return str(lang)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(str(path), f"file is {size // (1024 * 1024)} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit")
        return path.read_bytes()
    except PermissionError:
        raise InputError(str(path), "permission denied") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None


def decode(data: bytes, where: str) -> str:
    """UTF-8 as read; other encodings only when detection is sure, never mojibake."""
    if b"\x00" in data:
        raise InputError(where, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(where, "not UTF-8 text and the encoding cannot be detected")
    return str(best)


def _non_empty(text: str, where: str) -> str:
    if not text.strip():
        raise InputError(where, "empty article (no text)")
    return text


def _read_text(path: Path) -> Document:
    text = _non_empty(decode(_read_bytes(path), str(path)), str(path))
    title = next((line.strip() for line in text.splitlines() if line.strip()), None)
    if path.suffix.lower() == ".md" and title:
        title = title.lstrip("#").strip()
    return Document(identifier=path.name, text=text, source=str(path), title=title, lang=detect_language(text))


def _read_html(path: Path) -> Document:
    import trafilatura

    html = decode(_read_bytes(path), str(path))
    result = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    if result is None:
        raise InputError(str(path), "no article text found in the HTML")
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    text = data.get("text") or ""
    if len(text.strip()) < 40:
        raise InputError(str(path), "no article text found in the HTML (only boilerplate)")
    return Document(
        identifier=path.name,
        text=text,
        source=str(path),
        title=data.get("title") or None,
        url=data.get("url") or None,
        date=data.get("date") or None,
        lang=data.get("language") or detect_language(text),
    )


_JSONL_FIELDS = {"id": str, "text": str, "title": str, "url": str, "date": str, "lang": str}


def _read_jsonl(path: Path) -> Iterator[Document]:
    raw = decode(_read_bytes(path), str(path))
    ids: set[str] = set()
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"invalid JSON: {exc.msg} (column {exc.colno})", line=number) from None
        if not isinstance(record, dict):
            raise InputError(str(path), "a line must be a JSON object", line=number)
        for key in ("id", "text"):
            if key not in record:
                raise InputError(str(path), f"missing field {key!r}", line=number)
        for key, kind in _JSONL_FIELDS.items():
            if key in record and record[key] is not None and not isinstance(record[key], kind):
                raise InputError(str(path), f"field {key!r} must be a string", line=number)
        if record["id"] in ids:
            raise InputError(str(path), f"duplicate id {record['id']!r}", line=number)
        ids.add(record["id"])
        text = _non_empty(record["text"], f"{path}:{number}")
        doc = Document(
            identifier=record["id"],
            text=text,
            source=f"{path}:{number}",
            title=record.get("title"),
            url=record.get("url"),
            date=record.get("date"),
            lang=record.get("lang"),
        )
        yield doc if doc.lang else replace(doc, lang=detect_language(text))

"""WARC and ARC archives (plain or gzipped), read as a stream with warcio.

Each ``response`` record whose HTTP status is ``200`` and whose payload is HTML is an
article: its identity is the page's canonical URL, else the record's
``WARC-Target-URI``; its date is the page's, else the day of ``WARC-Date`` (when it was
archived). Other records are skipped silently and counted by reason for the build's
summary line: ``request``/``metadata``/``warcinfo`` records (``other``), ``redirect``
and other non-200 responses (``non-200``), ``non-HTML`` payloads, ``duplicate``
payloads (same ``WARC-Payload-Digest`` or same identity), and pages over the size cap
(``too large``).

A page that yields no article text is one error naming the archive and the record's
offset (``archive.warc.gz@12345``); a truncated or corrupt archive is one error at the
offset where reading failed, and the articles read before it are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError
from kg.faults import article_fault
from kg.records import Document
from kg.sources import FetchOptions, Record, SkipCounts
from kg.sources.web import HTML_TYPES, html_document


def read_archive(path: Path, options: FetchOptions, skipped: SkipCounts,
                 span: tuple[int, int | None] = (0, None)) -> Iterator[Record]:
    """The archive's articles and errors, in order. ``span`` (start, end): only the records that
    start at or after ``start`` and before ``end``; ``start`` must be a record's first byte
    (:func:`record_starts`). Offsets in messages are from the start of the file either way."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    name, (start, end) = str(path), span
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise InputError(name, "no such file" if isinstance(exc, FileNotFoundError) else
                         f"cannot read: {exc.strerror or exc}") from None
    digests: set[str] = set()
    offset = start
    with stream:
        article_fault("read", path.name)  # tests: the process reading this archive fails or dies here
        stream.seek(start)
        records = ArchiveIterator(stream, arc2warc=True)  # its offsets are the file's: it starts at tell()
        try:
            for record in records:
                offset = records.offset  # its start (get_record_offset() would read the record first)
                if end is not None and offset >= end:
                    break  # the next range's first record
                doc = _article(record, f"{name}@{offset}", options, skipped, digests)
                if doc is not None:
                    yield doc
        except InputError as exc:
            yield exc
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            where = f"{name}@{offset}" if offset else name
            yield InputError(where, f"truncated or corrupt archive: {' '.join(str(exc).split())[:200]}")


# A gzipped WARC is one gzip member per record (as crawlers and warcio write them), so a record
# starts where a member does: the gzip magic and "deflate", whose data inflates to a WARC header.
_MEMBER = b"\x1f\x8b\x08"
_SCAN = 1 << 16


def record_starts(path: Path, every: int) -> list[int]:
    """Offsets cutting a ``.warc.gz`` into ranges of about ``every`` bytes, each at the first byte of a
    record: ``[0, ...]``. An archive with no record boundary after a point (one gzip member for the
    whole file, or a plain WARC) is not cut there."""
    starts = [0]
    if every <= 0 or not str(path).lower().endswith(".warc.gz"):
        return starts
    size = path.stat().st_size
    with path.open("rb") as stream:
        while starts[-1] + every < size:
            found = _next_start(stream, starts[-1] + every, size)
            if found is None:
                break
            starts.append(found)
    return starts


def _next_start(stream: BinaryIO, position: int, size: int) -> int | None:
    """The first record start at or after ``position``: a gzip member header that warcio reads as a
    WARC record there (the three header bytes can occur inside compressed data by chance)."""
    while position < size:
        stream.seek(position)
        chunk = stream.read(_SCAN + len(_MEMBER))
        at = chunk.find(_MEMBER)
        while at != -1:
            if _is_record(stream, position + at):
                return position + at
            at = chunk.find(_MEMBER, at + 1)
        position += _SCAN
    return None


def _is_record(stream: BinaryIO, offset: int) -> bool:
    import zlib

    from warcio.archiveiterator import ArchiveIterator

    stream.seek(offset)
    try:
        head = zlib.decompressobj(wbits=31).decompress(stream.read(4096), 16)
        if not head.startswith(b"WARC/"):
            return False
        stream.seek(offset)
        records = ArchiveIterator(stream)
        record = next(iter(records))
        return bool(record.rec_headers.get_header("WARC-Type"))
    except Exception:  # whatever fails to read as a record there is not one
        return False


def _article(record: object, where: str, options: FetchOptions, skipped: SkipCounts,
             digests: set[str]) -> Document | InputError | None:
    headers = record.rec_headers  # type: ignore[attr-defined]
    if record.rec_type != "response" or record.http_headers is None:  # type: ignore[attr-defined]
        skipped.add("other")
        return None
    status = record.http_headers.get_statuscode()  # type: ignore[attr-defined]
    if status != "200":
        skipped.add("redirect" if status.startswith("3") else "non-200")
        return None
    content_type = record.http_headers.get_header("Content-Type") or ""  # type: ignore[attr-defined]
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        skipped.add("non-HTML")
        return None
    digest = headers.get_header("WARC-Payload-Digest")
    if digest and digest in digests:
        skipped.add("duplicate")
        return None
    body = record.content_stream().read(options.max_bytes + 1)  # type: ignore[attr-defined]
    if len(body) > options.max_bytes:
        skipped.add("too large")
        return None
    missing = getattr(record.raw_stream, "limit", 0)  # type: ignore[attr-defined]
    if missing:  # the archive ended inside the record: warcio returns what there was
        return InputError(where, f"truncated or corrupt archive: the record lacks its last {missing:,} bytes")
    if digest:
        digests.add(digest)
    uri = headers.get_header("WARC-Target-URI") or ""
    try:
        doc = html_document(body, content_type, uri, where)
    except InputError as exc:
        return exc
    archived = (headers.get_header("WARC-Date") or "")[:10] or None
    return Document(doc.identifier, doc.text, doc.source, doc.title, doc.url, doc.date or archived, doc.lang)

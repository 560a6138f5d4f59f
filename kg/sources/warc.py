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

from kg.errors import InputError
from kg.records import Document
from kg.sources import FetchOptions, Record, SkipCounts
from kg.sources.web import HTML_TYPES, html_document


def read_archive(path: Path, options: FetchOptions, skipped: SkipCounts) -> Iterator[Record]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    name = str(path)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise InputError(name, "no such file" if isinstance(exc, FileNotFoundError) else
                         f"cannot read: {exc.strerror or exc}") from None
    digests: set[str] = set()
    offset = 0
    with stream:
        records = ArchiveIterator(stream, arc2warc=True)
        try:
            for record in records:
                offset = records.offset  # its start (get_record_offset() would read the record first)
                doc = _article(record, f"{name}@{offset}", options, skipped, digests)
                if doc is not None:
                    yield doc
        except InputError as exc:
            yield exc
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            where = f"{name}@{offset}" if offset else name
            yield InputError(where, f"truncated or corrupt archive: {' '.join(str(exc).split())[:200]}")


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

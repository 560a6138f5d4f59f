"""Read articles from files and folders into :class:`~kg.records.Document` records.

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

from collections.abc import Iterator

from kg.errors import ArticleError, InputError, describe
from kg.faults import article_fault
from kg.ingest.decoding import MAX_BYTES, decode, detect_language, mojibake, read_bytes
from kg.ingest.formats import MAX_TITLE, Record, checked_text, extract_html, iter_records, language_code, read_documents
from kg.ingest.walk import SUPPORTED, Inputs, display_path, iter_paths, iter_sources


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


__all__ = ["MAX_BYTES", "MAX_TITLE", "SUPPORTED", "Inputs", "Record", "checked_text", "decode", "detect_language",
           "display_path", "extract_html", "iter_inputs", "iter_paths", "iter_records", "iter_sources",
           "language_code", "mojibake", "read_bytes", "read_documents"]

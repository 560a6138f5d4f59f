"""A file's bytes and their text: size limits, binary files refused, encodings, language.

UTF-8 is expected (with or without a byte-order mark; UTF-16/32 with one). Anything
else is decoded only when charset-normalizer, limited to Windows-1252 and Latin-9, is
confident *and* the result looks like French or Western European text. Mixed
encodings and mojibake are refused: they never reach the graph.
"""

from __future__ import annotations

import re
import stat
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.ingest.walk import display_path, os_problem

MAX_BYTES = 50 * 1024 * 1024


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
        raise InputError(where, os_problem(path, exc)) from None
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

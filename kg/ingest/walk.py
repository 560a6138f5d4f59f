"""Finding the files to read: inputs checked, folders walked in sorted order, each file once.

Folders are walked recursively, following symbolic links but never round a loop;
hidden entries and files of other types are ignored there. Paths shown in messages
have control characters escaped, so each message stays on one line.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import InputError

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

Inputs = Iterable[str | os.PathLike[str]] | str | os.PathLike[str]


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
            yield InputError(display_path(path), os_problem(path, exc, missing="no such file or folder"))
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


def os_problem(path: Path, exc: OSError, missing: str = "no such file") -> str:
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

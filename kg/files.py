"""Writing a file atomically: readers see the old file or the new one, never a part."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_output(target: Path) -> Iterator[BinaryIO]:
    """A binary file that replaces ``target`` only if the ``with`` block completes.

    The temporary file lives in the target's folder, so ``os.replace`` is an atomic
    rename on the same file system; on any failure (including Ctrl-C) it is removed.
    """
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp_path = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as sink:
            yield sink
            sink.flush()
            os.fsync(sink.fileno())
        os.chmod(tmp_path, _file_mode(target))
        os.replace(tmp_path, target)
    except BaseException:
        with suppress(OSError):
            tmp_path.unlink()
        raise


def write_atomically(target: Path, text: str) -> None:
    """``text`` (UTF-8) as the whole of ``target``, atomically."""
    with atomic_output(target) as sink:
        sink.write(text.encode("utf-8"))


def _file_mode(target: Path) -> int:
    """Keep an existing file's permissions; new files get the usual umask-based mode."""
    with suppress(OSError):
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask

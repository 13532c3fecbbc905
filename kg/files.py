"""The one way kg writes a file: atomically, with one file mode.

Every file kg writes (`kg extract -o`, `kg export`, `kg viz`, the shell's `\\o`, `\\export`
and `\\viz`) goes through `atomic_file`: the data goes to a temporary file in the target's
folder, which is flushed to disk and renamed over the target only when complete. A reader
never sees half a file, and a failed write (an exception, a full disk, Ctrl-C) leaves the
old file as it was. A failure to write is `KgError` E077 naming the file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kg.errors import KgError

# rw-r--r--, what open() gives under the usual umask 022. Everything kg writes (exports,
# extractions, pages, query results) is made to be read by other people and programs, and
# holds nothing the articles did not say; mkstemp's private 0600 made `\o` and
# `kg extract -o` unreadable to others while `kg export` was not.
FILE_MODE = 0o644


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file to write `path`'s new content to; it replaces `path` only if the block
    succeeds (then with mode `FILE_MODE`), else it is removed and `path` is unchanged."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the rename must not reach the disk before the data
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except OSError as exc:  # a full disk, a file too large, a read-only folder
        Path(tmp).unlink(missing_ok=True)
        raise _cannot_write(target, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` through `atomic_file`."""
    with atomic_file(path) as handle:
        handle.write(data)


def _cannot_write(path: Path, exc: OSError) -> KgError:
    return KgError("E077", str(path), reason=exc.strerror or str(exc))

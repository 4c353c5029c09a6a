"""Files under their final name are complete: write to a hidden partial file, fsync, rename.

Why: a run killed, or a disk that fills up, while `torch.save` or `tarfile` writes straight to
the final name leaves a truncated checkpoint or `model.tar.gz` that looks finished. Here the
final name appears only after the whole file is on disk, the partial file is removed on any
failure, and a full disk is reported as such, naming the file and the free space.
"""
import errno
import os
import shutil
from typing import Callable

PARTIAL_SUFFIX = ".partial"


class DiskFullError(OSError):
    """No space left on the device while a file was written; nothing was left under its name."""

    def __str__(self) -> str:
        return str(self.strerror)


def partial_path(path: str) -> str:
    """Where `path` is written before it is renamed into place (hidden, so globs skip it)."""
    directory, name = os.path.split(path)
    return os.path.join(directory, f".{name}{PARTIAL_SUFFIX}")


def _free_bytes(directory: str) -> str:
    try:
        return f"{shutil.disk_usage(directory or '.').free:,} bytes free"
    except OSError:
        return "free space unknown"


def _sync_directory(directory: str) -> None:
    """Makes the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        descriptor = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _disk_full(error: BaseException) -> bool:
    """ENOSPC anywhere in the chain: torch.save re-raises the file's OSError as a RuntimeError."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return True
        error = error.__cause__ or error.__context__
    return False


def write_atomically(path: str, write: Callable[[str], None]) -> None:
    """Calls `write(temporary_path)`, then renames the written file to `path`.

    On any failure the temporary file is removed and `path` is untouched (an earlier file
    under that name stays as it was); ENOSPC becomes a `DiskFullError` that says where."""
    temporary = partial_path(path)
    try:
        write(temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        if os.path.exists(temporary):
            os.remove(temporary)
        if _disk_full(error):
            directory = os.path.dirname(os.path.abspath(path))
            raise DiskFullError(
                errno.ENOSPC,
                f"No space left on the device while writing {path} ({_free_bytes(directory)} in "
                f"{directory}). Nothing was written under that name and earlier files are unchanged; "
                "free space there or write the run to a disk with room (-s).",
            ) from error
        raise
    _sync_directory(os.path.dirname(path))

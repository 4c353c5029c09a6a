"""Bad data raises `DataError`, with the file, the 1-based line and the fix in one message.

Why one class: a user who feeds a broken file should get the same shape of message from every
reader, and tests (and callers) can catch one type. `DataError` is a `ValueError` (the input
has the wrong value); problems with a reader's *constructor arguments* (no `model_name`,
bad `split_sizes`) stay allennlp `ConfigurationError`s, as elsewhere in allennlp.
"""
import os
from typing import List, Optional


class DataError(ValueError):
    """The data (a file, a line, a path or a value given to `text_to_instance`) is unusable."""


def where(path: Optional[str], line: Optional[int] = None) -> str:
    """`"file.jsonl, line 7"`: how every message names the place."""
    if path is None:
        return "input" if line is None else f"input line {line}"
    return f"{path}, line {line}" if line is not None else str(path)


def source_of(path: Optional[str], line: Optional[int]) -> Optional[str]:
    """What a label field records as its origin; None when nothing is known (predictions)."""
    return where(path, line) if path is not None or line is not None else None


def data_error(problem: str, fix: str, path: Optional[str] = None,
               line: Optional[int] = None) -> DataError:
    """Builds (does not raise) the error: `"<where>: <problem>. Fix: <fix>"`."""
    return DataError(f"{where(path, line)}: {problem.rstrip('.')}. Fix: {fix}")


def preview(value, limit: int = 80) -> str:
    """A short repr of a bad value, for messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(value) -> str:
    """`"list ['a']"`, or `"null"` for None: what a bad value was, in JSON's words."""
    return "null" if value is None else f"{type(value).__name__} {preview(value)}"


def require_file(path: str, expected: str) -> str:
    """`path` if it is a readable file; else raises a `DataError` saying what was expected."""
    if os.path.isfile(path):
        if os.access(path, os.R_OK):
            return path
        raise data_error("file is not readable (permission denied)",
                         "make it readable by this user", path)
    found = "a directory" if os.path.isdir(path) else "nothing"
    fix = "check the path"
    if not os.path.isabs(path):
        fix += f" (relative paths start from the working directory {os.getcwd()})"
    raise data_error(f"expected {expected}, found {found} at this path", fix, path)


def read_lines(path: str, expected: str, encodings=("utf-8", "latin-1")) -> List[str]:
    """The file's lines without line endings, decoded with the first encoding that works.

    Splits on "\\n" only (not `str.splitlines`, which would also split latin-1 text at
    characters such as U+0085). A final line break does not make an extra empty line.
    """
    require_file(path, expected)
    with open(path, "rb") as handle:
        raw = handle.read()
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise data_error(f"cannot decode the file as any of {', '.join(encodings)}",
                         "re-save it as UTF-8", path)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]

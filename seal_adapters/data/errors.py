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


# Files that are not text: their first bytes, what they are, how to make them text.
NOT_TEXT = (
    (b"\x1f\x8b", "gzip-compressed", "decompress it first (gunzip FILE) and point the config at the result"),
    (b"PK\x03\x04", "a zip archive", "unzip it and point the config at the file inside"),
    (b"BZh", "bzip2-compressed", "decompress it first (bunzip2 FILE)"),
    (b"\xfd7zXZ\x00", "xz-compressed", "decompress it first (unxz FILE)"),
    (b"\xff\xfe", "UTF-16 encoded (little-endian byte order mark)",
     "re-save it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8"),
    (b"\xfe\xff", "UTF-16 encoded (big-endian byte order mark)",
     "re-save it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8"),
)


def check_is_text(raw: bytes, path: str) -> None:
    """Refuses compressed, archived, UTF-16 and binary files, saying what they are."""
    for magic, what, fix in NOT_TEXT:
        if raw.startswith(magic):
            raise data_error(f"the file is {what}, not UTF-8 text", fix, path)
    head = raw[:4000]
    if head.count(b"\x00") > len(head) // 4:
        raise data_error("the file holds NUL bytes: it is UTF-16/UTF-32 text or a binary file, "
                         "not UTF-8 text", "re-save it as UTF-8 text", path)


def utf8_error(raw: bytes, error: UnicodeDecodeError, path: str, why: str, fix: str) -> DataError:
    """The DataError for the first byte of `raw` that is not UTF-8: its line and column."""
    head = raw[: error.start]
    line = head.count(b"\n") + 1
    column = error.start - (head.rfind(b"\n") + 1) + 1
    return data_error(f"byte 0x{raw[error.start:error.start + 1].hex()} at column {column} is "
                      f"not UTF-8{why}", fix, path, line)


def decode_text(raw: bytes, path: str) -> str:
    """UTF-8 text (a UTF-8 byte order mark is dropped). A file without a single UTF-8
    multi-byte character that still does not decode is single-byte text, as the original
    rt-polarity files, and is read as Windows-1252 (latin-1 where that cannot decode it: the
    two differ only in 0x80-0x9f, control codes in latin-1, quotes and dashes in cp1252). A
    file that mixes UTF-8 characters with bytes that are not UTF-8 is refused, naming the
    first bad line: decoding it as latin-1 as a whole would garble every UTF-8 character."""
    check_is_text(raw, path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        text = _single_byte_text(raw, error, path)
    return text[1:] if text.startswith("\ufeff") else text


def _single_byte_text(raw: bytes, error: UnicodeDecodeError, path: str) -> str:
    if any(b >= 0x80 for b in raw[: error.start]) or _has_utf8_multibyte(raw[error.end:]):
        raise utf8_error(raw, error, path, ", but the rest of the file is UTF-8 (reading it all "
                         "as latin-1 would garble its other characters)",
                         "re-save the file as UTF-8, or fix the text on this line")
    try:  # Windows-1252: latin-1 plus printable characters (quotes, dashes) in 0x80-0x9f
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _has_utf8_multibyte(raw: bytes) -> bool:
    """Whether `raw` holds at least one well-formed UTF-8 multi-byte character."""
    return any(ord(char) >= 0x80 for char in raw.decode("utf-8", errors="ignore"))


def check_line_endings(text: str, path: str) -> None:
    if "\r" in text and "\n" not in text:
        raise data_error("the lines end in CR only (old Mac line endings), so the whole file "
                         "reads as one line", "convert the line endings to \\n, e.g. "
                         "tr '\\r' '\\n' < FILE > FILE.unix", path)


def split_lines(text: str, path: str) -> List[str]:
    """Lines split on "\\n" only (not `str.splitlines`, which would also split latin-1 text
    at characters such as U+0085); a final line break makes no extra empty line."""
    check_line_endings(text, path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_lines(path: str, expected: str) -> List[str]:
    """The file's lines without line endings (`split_lines`, then a CR of CRLF dropped),
    decoded by `decode_text`."""
    require_file(path, expected)
    with open(path, "rb") as handle:
        raw = handle.read()
    lines = split_lines(decode_text(raw, path), path)
    return [line[:-1] if line.endswith("\r") else line for line in lines]

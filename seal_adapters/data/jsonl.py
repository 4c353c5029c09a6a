"""JSON-lines parsing and field checks shared by the JSON readers.

Why: a broken line should be reported as "file, line N: what is wrong. Fix: ..." and not as
a `json.JSONDecodeError` or `KeyError` from the middle of a reader.
"""
import json
import unicodedata
from typing import Iterator, List, Optional, Tuple, Union

from seal_adapters.data.errors import data_error, describe, preview, read_lines

EXAMPLE = '{"text": "a fine film", "label": "pos"}'


def _object_without_duplicates(pairs):
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"the key(s) {repeated} occur more than once in this object")
    return dict(pairs)


def parse_json_line(line: str, path: Optional[str], number: int, example: str = EXAMPLE) -> dict:
    """One JSON object, or a `DataError` naming the line: malformed JSON, not an object, a
    key given twice (json.loads would silently keep the last value)."""
    try:
        value = json.loads(line, object_pairs_hook=_object_without_duplicates)
    except json.JSONDecodeError as error:
        raise data_error(f"malformed JSON ({error.msg} at column {error.colno}): {preview(line)}",
                         f"write one complete JSON object per line, e.g. {example}", path,
                         number) from None
    except ValueError as error:
        raise data_error(str(error), "give each key once", path, number) from None
    if not isinstance(value, dict):
        raise data_error(f"expected a JSON object, found {type(value).__name__} {preview(value)}",
                         'write one {"key": value, ...} object per line', path, number)
    return value


def json_objects(path: str, example: str = EXAMPLE) -> Iterator[Tuple[int, dict]]:
    """(1-based line number, object) for each non-blank line of a JSON-lines file; `example`
    is the reader's own line, shown in the fix of a malformed one."""
    count = 0
    for number, line in enumerate(read_lines(path, "a JSON-lines file"), start=1):
        if not line.strip():
            continue
        count += 1
        yield number, parse_json_line(line, path, number, example)
    if count == 0:
        raise data_error("the file holds no JSON lines", "write one JSON object per line", path)


def require_key(obj: dict, key: str, path: Optional[str], line: Optional[int],
                option: str):
    """`obj[key]`, or an error naming the missing key and the keys the line has."""
    if key not in obj:
        has = ", ".join(repr(k) for k in obj) or "none"
        raise data_error(f"missing key '{key}' (the line has keys: {has})",
                         f"add '{key}' to every line, or set the reader's {option} to the key "
                         "your data uses", path, line)
    return obj[key]


def check_text(text, path: Optional[str], line: Optional[int], key: str = "text") -> str:
    """A non-empty string, else an error."""
    if not isinstance(text, str):
        raise data_error(f"'{key}' must be a string, found {describe(text)}",
                         f"make '{key}' a JSON string", path, line)
    if not text.strip():
        kind = "empty" if not text else "whitespace only"
        raise data_error(f"'{key}' is {kind} ({preview(text)})",
                         "remove the line or give it text", path, line)
    if all(unicodedata.category(char)[0] in "CZ" and unicodedata.category(char) != "Cs" for char in text):
        raise data_error(f"'{key}' holds only invisible characters, control or zero-width "
                         f"({preview(text)}): the tokenizer makes no wordpiece of it",
                         "remove the line or give it text", path, line)
    surrogate = next((i for i, char in enumerate(text) if "\ud800" <= char <= "\udfff"), None)
    if surrogate is not None:
        raise data_error(f"'{key}' holds an unpaired surrogate ({text[surrogate]!r} at character "
                         f"{surrogate + 1}), which is not valid Unicode and no tokenizer can "
                         "encode", "remove it, or write the character it stood for", path, line)
    return text


def check_label(label, path: Optional[str], line: Optional[int], key: str = "label",
                skip_indexing: bool = False, fix: Optional[str] = None) -> Union[str, int]:
    """A string label (an int becomes its string), or an int when `skip_indexing`."""
    if skip_indexing:
        if isinstance(label, int) and not isinstance(label, bool) and label >= 0:
            return label
        raise data_error(f"'{key}' must be a non-negative integer with skip_label_indexing, "
                         f"found {describe(label)}",
                         "use 0-based integer class ids, or turn skip_label_indexing off",
                         path, line)
    if isinstance(label, int) and not isinstance(label, bool):
        return str(label)
    if isinstance(label, str) and label.strip():
        return label
    found = "an empty string" if isinstance(label, str) else describe(label)
    raise data_error(f"'{key}' must be a non-empty string or an integer, found {found}",
                     fix or f'give one class name, e.g. "{key}": "pos"', path, line)


def check_label_list(labels, path: Optional[str], line: Optional[int],
                     key: str = "labels") -> List[str]:
    """A list of labels (each as `check_label`); a bare string is the common mistake."""
    if isinstance(labels, str):
        raise data_error(f"'{key}' is a single string ({preview(labels)}), not a list",
                         f'wrap it in a list: "{key}": [{json.dumps(labels)}]',
                         path, line)
    if not isinstance(labels, list):
        raise data_error(f"'{key}' must be a list of labels, found {describe(labels)}",
                         f'write a JSON list, e.g. "{key}": ["sports", "politics"] '
                         '(or [] for none)', path, line)
    fix = f'make every item of "{key}" a class name, e.g. "{key}": ["sports", "politics"]'
    return [check_label(label, path, line, key=f"{key}[{i}]", fix=fix)
            for i, label in enumerate(labels)]

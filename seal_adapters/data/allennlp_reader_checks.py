"""File checks for allennlp's own readers, run before they read (every `read`, any command).

Why: `text_classification_json`, `sequence_tagging` and `conll2003` parse line by line
without saying where they are, so a cut JSON line, a missing key, a token without its tag or
a five-column CoNLL line ends in a bare `JSONDecodeError`, `KeyError` or `ValueError` (or, for
extra columns and a byte order mark, in silently wrong data). Each check reads the file the
way its reader does and raises the plugin's `DataError`: file, line, fix. The plugin's own
readers report their errors themselves and are not checked twice.
"""
import os
import re
from typing import Callable, Dict, List

from allennlp.data.dataset_readers import (
    Conll2003DatasetReader,
    SequenceTaggingDatasetReader,
    TextClassificationJsonReader,
)

from seal_adapters.data.errors import (
    check_is_text,
    data_error,
    preview,
    require_file,
    split_lines,
    utf8_error,
)
from seal_adapters.data.jsonl import check_label, check_text, parse_json_line

IOB_TAG = re.compile(r"^(O|[BI]-\S+)$")


def _lines(path: str, reader_name: str) -> List[str]:
    """The lines as allennlp's readers see them: UTF-8, no byte order mark, "\\n" endings."""
    with open(path, "rb") as handle:
        raw = handle.read()
    check_is_text(raw, path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise data_error(f"the file starts with a UTF-8 byte order mark, which allennlp's "
                         f"{reader_name} reader would read as part of the first line",
                         "re-save the file without the mark (UTF-8 without BOM)", path, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise utf8_error(raw, error, path, f" (allennlp's {reader_name} reader reads UTF-8 only)",
                         "re-save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 FILE > FILE.utf8") from None
    return split_lines(text, path)


def check_text_classification_json(reader: TextClassificationJsonReader, path: str) -> None:
    text_key, label_key = reader._text_key, reader._label_key
    unlabelled, labelled = None, None
    for number, line in enumerate(_lines(path, "text_classification_json"), start=1):
        if not line.strip():
            raise data_error("blank line (allennlp's text_classification_json reader cannot skip "
                             "it)", "remove the line", path, number)
        example = f'{{"{text_key}": "a fine film", "{label_key}": "pos"}}'
        item = parse_json_line(line, path, number, example)
        if text_key not in item:
            has = ", ".join(repr(k) for k in item) or "none"
            raise data_error(f"missing key '{text_key}' (the line has keys: {has})",
                             f"give each line its text under '{text_key}', or set the reader's "
                             "text_key", path, number)
        check_text(item[text_key], path, number, text_key)
        label = item.get(label_key)
        if label is None:
            unlabelled = unlabelled or number
        else:
            labelled = labelled or number
            if reader._skip_label_indexing and not _is_int(label):
                raise data_error(f"label {label!r} is not a whole number, but skip_label_indexing "
                                 "is true", "use integer labels, or set skip_label_indexing "
                                 "false", path, number)
            if not reader._skip_label_indexing:
                check_label(label, path, number, key=label_key)  # "" or "  " would be a class
        if unlabelled and labelled:
            raise data_error(f"no '{label_key}' on this line, but line {labelled} has one",
                             f"give every line its '{label_key}' (or set the reader's label_key)",
                             path, unlabelled)


def _is_int(value) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)


def check_sequence_tagging(reader: SequenceTaggingDatasetReader, path: str) -> None:
    between, separator = reader._word_tag_delimiter, reader._token_delimiter
    for number, line in enumerate(_lines(path, "sequence_tagging"), start=1):
        if not line:
            continue
        for pair in line.split(separator):
            word, _, tag = pair.rpartition(between)
            if not word or not tag:
                raise data_error(
                    f"{preview(pair)} is not word{between}tag (allennlp's sequence_tagging format: "
                    f"tokens separated by {separator!r}, each word and tag joined by {between!r})",
                    f"write each token as word{between}TAG, e.g. Paris{between}B-LOC", path, number)


def check_conll2003(reader: Conll2003DatasetReader, path: str) -> None:
    convert = getattr(reader, "_convert_to_coding_scheme", None)
    for number, line in enumerate(_lines(path, "conll2003"), start=1):
        if not line.strip() or line.startswith("-DOCSTART-"):
            continue
        columns = line.split()
        if len(columns) != 4:
            raise data_error(f"found {len(columns)} column(s): {preview(line)}; conll2003 needs 4 "
                             "(token, POS tag, chunk tag, NER tag)",
                             "give every token line four space-separated columns", path, number)
        if convert == "BIOUL" and not IOB_TAG.match(columns[3]):
            raise data_error(f"NER tag {columns[3]!r} is not an IOB1 tag ('O', 'B-TYPE' or "
                             "'I-TYPE'), which convert_to_coding_scheme BIOUL converts from",
                             "fix the tag, or leave convert_to_coding_scheme out", path, number)


CHECKS: Dict[type, Callable] = {
    TextClassificationJsonReader: check_text_classification_json,
    SequenceTaggingDatasetReader: check_sequence_tagging,
    Conll2003DatasetReader: check_conll2003,
}


def check_file_for_reader(reader, file_path) -> None:
    """Runs the check of `reader`'s class (exact class: a subclass may read differently)."""
    check = CHECKS.get(type(reader))
    if check is None or not isinstance(file_path, (str, os.PathLike)):
        return
    path = str(file_path)
    if "://" in path:
        return  # a URL: allennlp's cached_path fetches it
    require_file(path, f"a file for allennlp's {type(reader).__name__}")
    check(reader, path)


def checked_read(original):
    """Wraps `DatasetReader.read` so the check runs when reading starts."""
    def read(self, file_path):
        check_file_for_reader(self, file_path)
        yield from original(self, file_path)
    return read

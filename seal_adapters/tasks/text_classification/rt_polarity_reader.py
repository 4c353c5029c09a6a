"""`rt_polarity`: Pang & Lee's sentence polarity data v1.0 in its raw two-file form.

Input: a directory holding `rt-polarity.pos` and `rt-polarity.neg`, one sentence a line
(UTF-8, or latin-1 as in the original release: see `errors.decode_text`), plus a
split selector: `"<dir>#train"`, `"<dir>#validation"` (or `#dev`), `"<dir>#test"`.

Split (the standard one, `split_sizes=(4265, 533, 533)`): lines 1-4265 of each file are
train, 4266-4798 validation, 4799-5331 test, i.e. 8,530 / 1,066 / 1,066 sentences. Each file
must have exactly `sum(split_sizes)` lines (blank lines at the very end are ignored), so a
truncated or different file is reported instead of silently shifting the split.

Order: the two files are interleaved line by line, negative first (neg 1, pos 1, neg 2,
pos 2, ...), so every batch of an unshuffled loader is balanced, and a vocabulary built
from a balanced split assigns "neg" -> 0 and "pos" -> 1 (allennlp breaks count ties by first
appearance), matching the dataset's "label 1 = pos".

Fields: `tokens` (TextField) and `label` (LabelField "pos"/"neg", namespace "labels").
"""
import os
from typing import Dict, Iterable, Optional, Tuple, Union

from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Instance
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Tokenizer

from seal_adapters.data.errors import data_error, read_lines, source_of
from seal_adapters.data.fields import SourcedLabelField
from seal_adapters.data.splits import parse_split
from seal_adapters.data.text_reader import TextReader

FILES = (("neg", "rt-polarity.neg"), ("pos", "rt-polarity.pos"))
SPLITS = ("train", "validation", "test")
LABELS = {"pos": "pos", "neg": "neg", 1: "pos", 0: "neg", "1": "pos", "0": "neg"}


def split_ranges(split_sizes) -> Dict[str, Tuple[int, int]]:
    """0-based [start, end) line ranges per split, e.g. train (0, 4265)."""
    ranges, start = {}, 0
    for name, size in zip(SPLITS, split_sizes):
        ranges[name] = (start, start + size)
        start += size
    return ranges


@DatasetReader.register("rt_polarity")
class RtPolarityReader(TextReader):
    """Reads `<dir>#<split>`; see the module docstring for files, split and order."""

    reader_name = "rt_polarity"

    def __init__(self, tokenizer: Optional[Tokenizer] = None,
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 model_name: Optional[str] = None, max_tokens: Optional[int] = None,
                 split_sizes: Tuple[int, int, int] = (4265, 533, 533),
                 label_namespace: str = "labels", **kwargs) -> None:
        super().__init__(tokenizer, token_indexers, model_name, max_tokens, label_namespace,
                         **kwargs)
        split_sizes = tuple(split_sizes)
        if len(split_sizes) != 3 or any(not isinstance(s, int) or s < 0 for s in split_sizes):
            raise ConfigurationError(
                f"rt_polarity: split_sizes must be three non-negative line counts (train, "
                f"validation, test), e.g. [4265, 533, 533]; got {list(split_sizes)}")
        self._split_sizes = split_sizes
        self._ranges = split_ranges(split_sizes)

    def _read(self, file_path) -> Iterable[Instance]:
        directory, split = parse_split(file_path, SPLITS, self.reader_name, required=True)
        start, end = self._ranges[split]
        columns = [(label, path, self._lines(path)[start:end])
                   for label, path in self._paths(directory)]
        rows = []  # interleaved: neg line, pos line, neg line, ...
        for offset in range(end - start):
            for label, path, lines in columns:
                rows.append((lines[offset], label, path, start + offset + 1))
        for text, label, path, line in self.shard_iterable(rows):
            yield self.text_to_instance(text, label, path, line)

    def _paths(self, directory: str):
        expected = "a directory holding rt-polarity.pos and rt-polarity.neg"
        if not os.path.isdir(directory):
            found = "a file" if os.path.exists(directory) else "nothing"
            raise data_error(f"expected {expected}, found {found} at this path",
                             "pass the directory that holds both files, plus #train, "
                             "#validation or #test", directory)
        paths = [(label, os.path.join(directory, name)) for label, name in FILES]
        missing = [os.path.basename(p) for _, p in paths if not os.path.isfile(p)]
        if missing:
            present = sorted(os.listdir(directory))[:10]
            raise data_error(f"missing {' and '.join(missing)} (expected {expected}; the "
                             f"directory has: {', '.join(present) or 'nothing'})",
                             "put both files of the sentence polarity dataset v1.0 "
                             "(rt-polarity.pos, rt-polarity.neg) in this directory", directory)
        return paths

    def _lines(self, path: str):
        lines = read_lines(path, "a file with one sentence a line")
        while lines and not lines[-1].strip():
            lines.pop()
        needed = sum(self._split_sizes)
        if len(lines) != needed:
            raise data_error(
                f"has {len(lines)} lines, but split_sizes {list(self._split_sizes)} need "
                f"{needed}", "use the complete v1.0 file (5,331 lines), or set the reader's "
                f"split_sizes to add up to {len(lines)}", path)
        return lines

    def text_to_instance(self, text: str, label: Optional[Union[str, int]] = None,
                         path: Optional[str] = None, line: Optional[int] = None) -> Instance:
        """`label` is "pos"/"neg" (or 1/0); None (prediction) gives `tokens` only."""
        fields = {"tokens": self._text_field(text, path, line)}
        if label is not None:
            known = isinstance(label, (str, int)) and not isinstance(label, bool)
            if not known or label not in LABELS:
                raise data_error(f"label must be 'pos' or 'neg' (or 1 / 0), found {label!r}",
                                 "use 'pos' or 'neg'", path, line)
            fields["label"] = SourcedLabelField(LABELS[label], self._label_namespace,
                                                source=source_of(path, line))
        return Instance(fields)

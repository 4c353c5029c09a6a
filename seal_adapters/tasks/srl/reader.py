"""`seal_srl_conll2012`: CoNLL-2012 (OntoNotes 5.0) `*gold_conll` files, one instance per
predicate.

The path is a file or a directory walked for files whose name ends in `gold_conll` (as
allennlp-models' `srl` reader does). In each file, `#begin document` / `#end document` lines
are skipped and a blank line ends a sentence. A word's row has whitespace-separated columns:
document, part, word number, **word** (column 4), POS, parse bit, predicate lemma, frameset,
sense, speaker, named entities, then **one column per predicate** with its arguments in
bracket notation (`(ARG0*`, `*`, `*)`, `(V*)`), and the coreference column last (`-`, `(12)`,
...). A file without the coreference column is read too: a last column whose cells hold `*`
is an argument column, not coreference, so no predicate is lost. Each
predicate column becomes one instance: the words, a 0/1 `verb_indicator` marking the
predicate (the word tagged `(V*)`), and BIO `tags` (`(ARG0*` ... `*)` becomes `B-ARG0 I-ARG0
...`, the predicate `B-V`). Sentences without a predicate give no instance.

CoNLL-2005 data: convert it to this column layout (as allennlp-models' users do), or write
`word ... (ARG0* ...` rows with the same columns.

`text_to_instance(tokens, verb_label, tags=None)` is the signature of allennlp-models' SRL
reader, so its `semantic_role_labeling` predictor's instances fit this reader.
"""
import os
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

from allennlp.data import DatasetReader, Instance
from allennlp.data.fields import MetadataField, SequenceLabelField, TextField
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Token

from seal_adapters.data.defaults import default_indexers
from seal_adapters.data.errors import data_error, preview
from seal_adapters.data.fields import SourcedSequenceLabelField
from seal_adapters.embedders.model_source import resolve_model_name

WORD, FIRST_ROLE = 3, 11  # 0-based columns: the word, the first predicate's arguments
FIX = ("give each word a row of the CoNLL-2012 columns: document, part, number, word, POS, "
       "parse, lemma, frameset, sense, speaker, entities, one argument column per predicate, "
       "coreference")


def gold_conll_files(path: str) -> List[str]:
    if os.path.isdir(path):
        found = sorted(os.path.join(root, name) for root, _, names in os.walk(path)
                       for name in names if name.endswith("gold_conll"))
        if not found:
            raise data_error("the directory holds no file whose name ends in 'gold_conll'",
                             "point the path at CoNLL-2012 *gold_conll files or a folder of them",
                             path)
        return found
    return [path]


def bracket_tags(column: List[str], path: str, line: int) -> List[str]:
    """BIO tags of one predicate's argument column in bracket notation (`line`: the file line
    of the column's first cell)."""
    tags, current, opened = [], None, line
    for offset, cell in enumerate(column):
        if "*" not in cell:
            raise data_error(f"argument cell {preview(cell)} has no '*'",
                             "write argument cells as (ARG0*, *, *) or (V*)", path, line + offset)
        opening = cell[:cell.index("*")]
        if opening:
            if not opening.startswith("(") or current is not None:
                raise data_error(f"argument cell {preview(cell)} opens a span inside another",
                                 "close each span (*) before the next opens", path, line + offset)
            current, opened = opening[1:], line + offset
            tags.append(f"B-{current}")
        else:
            tags.append("O" if current is None else f"I-{current}")
        if cell.endswith(")"):
            if current is None:
                raise data_error(f"argument cell {preview(cell)} closes no open span",
                                 "open the span with (LABEL* first", path, line + offset)
            current = None
    if current is not None:
        raise data_error(f"the span {current} opened here is never closed in its sentence",
                         "end it with *) on its last word", path, opened)
    return tags


@DatasetReader.register("seal_srl_conll2012")
class SrlConll2012Reader(DatasetReader):
    """
    # Parameters

    model_name : `str`, optional: gives allennlp's `pretrained_transformer_mismatched` indexer.
    token_indexers : optional, instead of `model_name`.
    label_namespace : `str` (default "labels")
    """

    reader_name = "seal_srl_conll2012"

    def __init__(self, model_name: Optional[str] = None,
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 label_namespace: str = "labels", **kwargs) -> None:
        kwargs.setdefault("manual_distributed_sharding", True)
        kwargs.setdefault("manual_multiprocess_sharding", True)
        super().__init__(**kwargs)
        if model_name is not None:
            model_name = resolve_model_name(model_name)
        self._token_indexers = default_indexers(token_indexers, model_name, self.reader_name,
                                                mismatched=True)
        self._label_namespace = label_namespace

    def sentences(self, path: str) -> Iterator[Tuple[int, List[List[str]]]]:
        """(first line, rows of columns) of each sentence of one file."""
        rows: List[List[str]] = []
        first = 0
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.startswith("#"):
                    continue
                columns = line.split()
                if not columns:
                    if rows:
                        yield first, rows
                    rows = []
                    continue
                if not rows:
                    first = number
                elif len(columns) != len(rows[0]):
                    raise data_error(f"{len(columns)} columns where the sentence's first row has "
                                     f"{len(rows[0])}", FIX, path, number)
                if len(columns) < FIRST_ROLE:  # the 11 fixed columns
                    raise data_error(f"{len(columns)} columns, too few for CoNLL-2012 "
                                     f"({preview(line.strip())})", FIX, path, number)
                rows.append(columns)
        if rows:
            yield first, rows

    def predicates(self, file_path) -> Iterator[Tuple[List[str], List[int], List[str]]]:
        count = 0
        for path in gold_conll_files(str(file_path)):
            for first, rows in self.sentences(path):
                words = [row[WORD] for row in rows]
                # The last column is coreference unless its cells are argument cells (`*`).
                coreference = len(rows[0]) > FIRST_ROLE and not any("*" in row[-1] for row in rows)
                for column in range(FIRST_ROLE, len(rows[0]) - int(coreference)):
                    tags = bracket_tags([row[column] for row in rows], path, first)
                    if "B-V" not in tags:
                        raise data_error(f"predicate column {column + 1 - FIRST_ROLE} of this "
                                         "sentence marks no predicate (V*)", "mark the predicate "
                                         "word (V*) in every argument column", path, first)
                    count += 1
                    yield words, [int(tag == "B-V") for tag in tags], tags
        if count == 0:
            raise data_error("no predicate found (no argument column in any sentence)", FIX,
                             str(file_path))

    def _read(self, file_path) -> Iterable[Instance]:
        for words, indicator, tags in self.shard_iterable(self.predicates(file_path)):
            yield self.text_to_instance(words, indicator, tags)

    def text_to_instance(self, tokens: List[Union[str, Token]], verb_label: List[int],
                         tags: Optional[List[str]] = None) -> Instance:
        """`tokens` the words, `verb_label` 1 at the predicate and 0 elsewhere; `tags` None
        (prediction) gives no `tags` field."""
        words = [t.text if isinstance(t, Token) else t for t in tokens]
        if not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise data_error(f"tokens must be a non-empty list of words, found {preview(tokens)}",
                             "pass the sentence as a list of words", None)
        if len(verb_label) != len(words) or sorted(set(verb_label)) != [0, 1] or sum(verb_label) != 1:
            raise data_error(f"verb_label {preview(verb_label)} must mark exactly one of the "
                             f"{len(words)} words with 1", "give the predicate's position", None)
        text_field = TextField([Token(word) for word in words])
        verb = verb_label.index(1)
        fields = {"tokens": text_field,
                  "verb_indicator": SequenceLabelField(list(verb_label), text_field),
                  "metadata": MetadataField({"words": words, "verb": words[verb],
                                             "predicate_index": verb})}
        if tags is not None:
            fields["tags"] = SourcedSequenceLabelField(list(tags), text_field,
                                                       self._label_namespace, None, None)
        return Instance(fields)

    def apply_token_indexers(self, instance: Instance) -> None:
        instance["tokens"].token_indexers = self._token_indexers

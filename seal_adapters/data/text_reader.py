"""The base of the sentence-level readers: tokenizer, indexers and `max_tokens` in one place.

Why: `seal_text_jsonl`, `seal_multilabel_jsonl` and `rt_polarity` differ only in how they
find text and labels; they tokenize, truncate and index the same way.
"""
from typing import Dict, Optional

from allennlp.data import DatasetReader, Instance
from allennlp.data.fields import TextField
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Tokenizer

from seal_adapters.data.defaults import (
    check_max_tokens,
    default_indexers,
    default_tokenizer,
    truncate,
)
from seal_adapters.data.jsonl import check_text


class TextReader(DatasetReader):
    """Not registered; subclasses are. Instances get their indexers in
    `apply_token_indexers` (allennlp's advice: indexers are not copied to worker processes)."""

    reader_name = "text reader"

    def __init__(self, tokenizer: Optional[Tokenizer] = None,
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 model_name: Optional[str] = None, max_tokens: Optional[int] = None,
                 label_namespace: str = "labels", **kwargs) -> None:
        kwargs.setdefault("manual_distributed_sharding", True)
        kwargs.setdefault("manual_multiprocess_sharding", True)
        super().__init__(**kwargs)
        check_max_tokens(max_tokens, self.reader_name)
        self._tokenizer = default_tokenizer(tokenizer, model_name, self.reader_name, max_tokens)
        self._token_indexers = default_indexers(token_indexers, model_name, self.reader_name)
        self._max_tokens = max_tokens
        self._label_namespace = label_namespace

    def _text_field(self, text: str, path: Optional[str] = None,
                    line: Optional[int] = None, key: str = "text") -> TextField:
        text = check_text(text, path, line, key)
        tokens = truncate(self._tokenizer.tokenize(text), self._max_tokens, self._tokenizer)
        return TextField(tokens)

    def apply_token_indexers(self, instance: Instance) -> None:
        instance["tokens"].token_indexers = self._token_indexers

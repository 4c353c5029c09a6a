"""`seal_multilabel_jsonl`: JSON lines `{"text": ..., "labels": [...]}` for multi-label tasks.

Fields: `tokens` (TextField) and, when labels are given, `labels` (MultiLabelField,
namespace `label_namespace`, default "labels"). `"labels": []` (no label) is allowed; a bare
string instead of a list is an error that says to wrap it in a list.
"""
from typing import Dict, Iterable, List, Optional

from allennlp.data import DatasetReader, Instance
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Tokenizer

from seal_adapters.data.errors import source_of
from seal_adapters.data.fields import SourcedMultiLabelField
from seal_adapters.data.jsonl import check_label_list, json_objects, require_key
from seal_adapters.data.text_reader import TextReader


@DatasetReader.register("seal_multilabel_jsonl")
class MultilabelJsonlReader(TextReader):
    """Reads `{"text", "labels"}` lines (keys configurable); see the module docstring."""

    reader_name = "seal_multilabel_jsonl"

    def __init__(self, tokenizer: Optional[Tokenizer] = None,
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 model_name: Optional[str] = None, text_key: str = "text",
                 labels_key: str = "labels", max_tokens: Optional[int] = None,
                 label_namespace: str = "labels", **kwargs) -> None:
        super().__init__(tokenizer, token_indexers, model_name, max_tokens, label_namespace,
                         **kwargs)
        self._text_key = text_key
        self._labels_key = labels_key

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(file_path)
        for line, obj in self.shard_iterable(json_objects(path)):
            text = require_key(obj, self._text_key, path, line, "text_key")
            labels = require_key(obj, self._labels_key, path, line, "labels_key")
            if labels is None:  # None means "no labels" only for predictions
                check_label_list(labels, path, line, self._labels_key)
            yield self.text_to_instance(text, labels, path, line)

    def text_to_instance(self, text: str, labels: Optional[List[str]] = None,
                         path: Optional[str] = None, line: Optional[int] = None) -> Instance:
        """`labels` None (prediction) gives an instance with `tokens` only."""
        fields = {"tokens": self._text_field(text, path, line, self._text_key)}
        if labels is not None:
            labels = check_label_list(labels, path, line, self._labels_key)
            fields["labels"] = SourcedMultiLabelField(labels, self._label_namespace,
                                                      source=source_of(path, line))
        return Instance(fields)

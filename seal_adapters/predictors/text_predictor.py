"""What the sentence-level predictors share: raw text in, a chosen set of output keys out."""
from typing import Tuple

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from seal_adapters.predictors.inputs import input_text, keep


class TextPredictor(Predictor):
    """Input `{"sentence": ...}` (or `"text"`); output the model's `OUTPUT_KEYS`."""

    OUTPUT_KEYS: Tuple[str, ...] = ()

    def predict(self, sentence: str) -> JsonDict:
        return self.predict_json({"sentence": sentence})

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        return self._dataset_reader.text_to_instance(input_text(json_dict))

    def predict_instance(self, instance: Instance) -> JsonDict:
        return keep(super().predict_instance(instance), self.OUTPUT_KEYS)

    def predict_batch_instance(self, instances):
        return [keep(output, self.OUTPUT_KEYS) for output in super().predict_batch_instance(instances)]

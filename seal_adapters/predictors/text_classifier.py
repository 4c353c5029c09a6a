"""`seal_text_classifier` predictor: raw text in, label and per-label probabilities out."""
from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from seal_adapters.predictors.inputs import input_text, keep

OUTPUT_KEYS = ("label", "probs")


@Predictor.register("seal_text_classifier")
class SealTextClassifierPredictor(Predictor):
    """Input `{"sentence": ...}` (or `"text"`); output `{"label": str, "probs": {label: p}}`."""

    def predict(self, sentence: str) -> JsonDict:
        return self.predict_json({"sentence": sentence})

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        return self._dataset_reader.text_to_instance(input_text(json_dict))

    def predict_instance(self, instance: Instance) -> JsonDict:
        return keep(super().predict_instance(instance), OUTPUT_KEYS)

    def predict_batch_instance(self, instances):
        return [keep(output, OUTPUT_KEYS) for output in super().predict_batch_instance(instances)]

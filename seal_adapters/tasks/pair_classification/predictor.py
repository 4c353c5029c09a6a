"""`seal_pair_classifier` predictor: `{"premise": ..., "hypothesis": ...}` in, the label and
every label's probability out (`{"premise", "hypothesis", "label", "probs"}`)."""
from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from seal_adapters.predictors.readable import ReadablePredictor

KEYS = ("premise", "hypothesis")
SNLI_KEYS = ("sentence1", "sentence2")


def pair_of(json_dict: JsonDict):
    for keys in (KEYS, SNLI_KEYS):
        if all(isinstance(json_dict.get(key), str) for key in keys):
            return tuple(json_dict[key] for key in keys)
    raise ValueError(
        f"Each input needs strings under 'premise' and 'hypothesis' (or 'sentence1' and "
        f"'sentence2'); got keys {sorted(json_dict)}. Write lines like "
        '{"premise": "A man plays.", "hypothesis": "Someone plays."}.')


@Predictor.register("seal_pair_classifier")
class SealPairClassifierPredictor(ReadablePredictor):
    reader_inputs, model_output = ("premise", "hypothesis"), "label"  # predictor_match.py

    def predict(self, premise: str, hypothesis: str) -> JsonDict:
        return self.predict_json({"premise": premise, "hypothesis": hypothesis})

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        return self._dataset_reader.text_to_instance(*pair_of(json_dict))

    @staticmethod
    def _readable(instance: Instance, output: JsonDict) -> JsonDict:
        pair = instance["metadata"].metadata
        return {"premise": pair["premise"], "hypothesis": pair["hypothesis"],
                "label": output["label"], "probs": output["probs"]}

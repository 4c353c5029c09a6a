"""`seal_srl` predictor: `{"tokens": [...], "predicate_index": k}` in (or `"sentence"`, split
into words as the tagger predictor does), `{"tokens", "verb", "predicate_index", "tags"}` out:
the arguments of the k-th word (0-based) as a BIO tag per word."""
from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from seal_adapters.predictors.inputs import input_words
from seal_adapters.predictors.readable import ReadablePredictor


def predicate_of(json_dict: JsonDict, words) -> int:
    index = json_dict.get("predicate_index", json_dict.get("verb_index"))
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(words):
        raise ValueError(
            f"Each input needs 'predicate_index', the 0-based position of the predicate among its "
            f"{len(words)} words; got {index!r}. Write lines like "
            '{"tokens": ["The", "cat", "sat"], "predicate_index": 2}.')
    return index


@Predictor.register("seal_srl")
class SealSrlPredictor(ReadablePredictor):
    reader_inputs, model_output = ("tokens", "verb_label"), "tags"  # predictor_match.py

    def predict(self, tokens, predicate_index: int) -> JsonDict:
        return self.predict_json({"tokens": tokens, "predicate_index": predicate_index})

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        words = input_words(json_dict)
        index = predicate_of(json_dict, words)
        return self._dataset_reader.text_to_instance(words, [int(i == index) for i in range(len(words))])

    @staticmethod
    def _readable(instance: Instance, output: JsonDict) -> JsonDict:
        meta = instance["metadata"].metadata
        return {"tokens": meta["words"], "verb": meta["verb"],
                "predicate_index": meta["predicate_index"], "tags": output["tags"]}

"""`seal_tagger` predictor: a sentence in, its words with one tag each out.

The reader builds the instance with `text_to_instance(tokens)`, `tokens` a list of allennlp
`Token`s (the signature of allennlp's tagging readers, e.g. `conll2003`).
"""
from typing import List

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.data.tokenizers import Token
from allennlp.predictors import Predictor

from seal_adapters.predictors.inputs import input_words
from seal_adapters.predictors.readable import ReadablePredictor


@Predictor.register("seal_tagger")
class SealTaggerPredictor(ReadablePredictor):
    """Input `{"sentence": "john lives in paris."}` (split into words by spaCy's English
    rules, punctuation apart), `{"text": ...}` or
    `{"tokens": [...]}`; output `{"tokens": [...], "tags": [...], "tag_probs": [...]}`."""

    reader_inputs, model_output = ("tokens",), "tags"  # predictor_match.py

    def predict(self, sentence: str) -> JsonDict:
        return self.predict_json({"sentence": sentence})

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        return self._dataset_reader.text_to_instance([Token(word) for word in input_words(json_dict)])

    @staticmethod
    def _readable(instance: Instance, output: JsonDict) -> JsonDict:
        words: List[str] = [token.text for token in instance["tokens"].tokens]
        return {"tokens": words, "tags": output["tags"], "tag_probs": output["tag_probs"]}

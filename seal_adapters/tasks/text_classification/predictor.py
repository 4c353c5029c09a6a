"""`seal_text_classifier` predictor: raw text in, label and per-label probabilities out."""
from allennlp.predictors import Predictor

from seal_adapters.predictors.text_predictor import TextPredictor


@Predictor.register("seal_text_classifier")
class SealTextClassifierPredictor(TextPredictor):
    """Input `{"sentence": ...}` (or `"text"`); output `{"label": str, "probs": {label: p}}`."""

    OUTPUT_KEYS = ("label", "probs")
    reader_inputs, model_output = ("text",), "label"  # predictor_match.py

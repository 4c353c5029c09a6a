"""`seal_multilabel_classifier` predictor: raw text in, the predicted label set out."""
from allennlp.predictors import Predictor

from seal_adapters.predictors.text_predictor import TextPredictor


@Predictor.register("seal_multilabel_classifier")
class SealMultilabelClassifierPredictor(TextPredictor):
    """Input `{"sentence": ...}` (or `"text"`); output `labels` (probability >= the model's
    threshold, most probable first), `scores` (their probabilities) and `probs` (all labels)."""

    OUTPUT_KEYS = ("labels", "scores", "probs")
    reader_inputs, model_output = ("text",), "labels"  # predictor_match.py

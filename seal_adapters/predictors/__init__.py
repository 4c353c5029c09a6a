"""Predictors of seal_adapters, one per model and registered under the model's name, so
`allennlp predict` on an archive needs no `--predictor` flag. The wrappers of allennlp's
predict machinery here (predictor_match, input_lines) are installed with every other
wrapper by `seal_adapters.training.allennlp_hooks`."""
from seal_adapters.predictors.multilabel_classifier import SealMultilabelClassifierPredictor  # noqa: F401
from seal_adapters.predictors.tagger import SealTaggerPredictor  # noqa: F401
from seal_adapters.predictors.text_classifier import SealTextClassifierPredictor  # noqa: F401

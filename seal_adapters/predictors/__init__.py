"""Predictors of seal_adapters, one per model and registered under the model's name, so
`allennlp predict` on an archive needs no `--predictor` flag."""
from seal_adapters.predictors.input_lines import install as _install_input_lines
from seal_adapters.predictors.multilabel_classifier import SealMultilabelClassifierPredictor
from seal_adapters.predictors.predictor_match import install as _install_predictor_match
from seal_adapters.predictors.tagger import SealTaggerPredictor
from seal_adapters.predictors.text_classifier import SealTextClassifierPredictor

_install_input_lines()
_install_predictor_match()

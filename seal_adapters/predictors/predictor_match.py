"""`--predictor` must fit the archive's model: refused by name before any input is read.

Why: allennlp builds whatever predictor is named. `seal_tagger` on a classifier archive ends
in a tokenizer error about `TextEncodeInput`, `seal_multilabel_classifier` on a single-label
classifier silently prints probabilities without a label, and allennlp's `sentence_tagger`
tries to download a spaCy model before anything else. Each seal_adapters model lists the
predictors that work with it (`compatible_predictors`, its own first); any other is a
ConfigurationError naming the predictor, the model and the predictors that fit. Models from
elsewhere are left to allennlp (`seal_tagger` also reads allennlp-models' taggers, say).
"""
from allennlp.common.checks import ConfigurationError
from allennlp.models import Model
from allennlp.predictors import Predictor

MARK = "_seal_adapters_predictor_match"


def _model_type(archive) -> str:
    return archive.config.get("model").get("type", "?") if hasattr(archive.config, "get") else "?"


def check_predictor_fits(archive, predictor_name: str) -> None:
    model = archive.model
    Predictor.resolve_class_name(predictor_name)  # an unknown name: allennlp's own error
    fits = getattr(type(model), "compatible_predictors", None)
    if fits is None or predictor_name in fits:
        return
    raise ConfigurationError(
        f"--predictor {predictor_name} does not fit this archive's model '{_model_type(archive)}' "
        f"({type(model).__name__}). Leave --predictor out (the default is '{fits[0]}') or use one "
        f"of {list(fits)}."
    )


def install() -> None:
    current = Predictor.__dict__["from_archive"]
    if getattr(current.__func__, MARK, False):
        return
    original = current.__func__

    def from_archive(cls, archive, predictor_name=None, *args, **kwargs):
        if predictor_name is not None and isinstance(getattr(archive, "model", None), Model):
            check_predictor_fits(archive, predictor_name)
        return original(cls, archive, predictor_name, *args, **kwargs)

    setattr(from_archive, MARK, True)
    from_archive.__doc__ = original.__doc__
    Predictor.from_archive = classmethod(from_archive)

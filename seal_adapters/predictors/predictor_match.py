"""`--predictor` must fit the archive's model: refused by name before any input is read.

Why: allennlp builds whatever predictor is named. `seal_tagger` on a classifier archive ends
in a tokenizer error about `TextEncodeInput`, `seal_multilabel_classifier` on a single-label
classifier silently prints probabilities without a label. Fit is judged by what the predictor
needs, not by a list per model:

* what it hands the archive's dataset reader: the leading arguments of `text_to_instance`
  (`("text",)`, `("tokens",)`, `("premise", "hypothesis")`, `("tokens", "verb_label")`),
  which must be the reader's own leading parameters (the rest optional);
* what it reads back: the model's kind of output (`label`, `labels`, `tags`), declared by the
  model as `output_kind`.

seal_adapters' predictors declare both (`reader_inputs`, `model_output`); allennlp's and
allennlp-models' predictors are described in `KNOWN`. A predictor described nowhere, or a
model from elsewhere, is left to allennlp.
"""
import inspect
from typing import List, Optional, Tuple

from allennlp.common.checks import ConfigurationError
from allennlp.models import Model
from allennlp.predictors import Predictor

MARK = "_seal_adapters_predictor_match"

# allennlp's and allennlp-models' predictors: (what they pass text_to_instance, what they read).
KNOWN = {
    "text_classifier": (("text",), "label"),
    "textual_entailment": (("premise", "hypothesis"), "label"),
    "sentence_tagger": (("tokens",), "tags"),
    "semantic_role_labeling": (("tokens", "verb_label"), "tags"),
}
# Predictors that split raw sentences with a spaCy model they load when built (a download
# attempt, then a ConnectionError, where the model is not installed).
SPACY_MODEL = {"sentence_tagger": "en_core_web_sm", "semantic_role_labeling": "en_core_web_sm"}


def check_spacy_model(archive, predictor_name: str) -> None:
    model = SPACY_MODEL.get(predictor_name)
    if model is None:
        return
    import spacy.util

    if spacy.util.is_package(model):
        return
    own = getattr(type(archive.model), "default_predictor", None)
    raise ConfigurationError(
        f"--predictor {predictor_name} splits raw sentences with spaCy's '{model}' model, which "
        f"is not installed (it would try to download it). Leave --predictor out (the model's own "
        f"'{own}' takes the same input lines without it), or install {model}.")
SAME_INPUT = {"sentence": "text", "verb_labels": "verb_label"}


def needs_of(predictor_name: str) -> Optional[Tuple[Tuple[str, ...], str]]:
    cls = Predictor.resolve_class_name(predictor_name)[0]
    if getattr(cls, "reader_inputs", None) and getattr(cls, "model_output", None):
        return tuple(cls.reader_inputs), cls.model_output
    return KNOWN.get(predictor_name)


def reader_takes(reader, inputs: Tuple[str, ...]) -> bool:
    """Whether `reader.text_to_instance` takes exactly these leading arguments."""
    try:
        parameters = list(inspect.signature(reader.text_to_instance).parameters.values())
    except (TypeError, ValueError):
        return True
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = tuple(SAME_INPUT.get(p.name, p.name) for p in positional[:len(inputs)])
    rest_optional = all(p.default is not p.empty for p in positional[len(inputs):])
    return names == tuple(SAME_INPUT.get(n, n) for n in inputs) and rest_optional


def fits(archive, predictor_name: str) -> Optional[bool]:
    """True / False, or None where nothing is known (left to allennlp)."""
    kind = getattr(type(archive.model), "output_kind", None)
    needs = needs_of(predictor_name)
    if kind is None or needs is None:
        return None
    inputs, output = needs
    return output == kind and reader_takes(archive.dataset_reader, inputs)


def fitting_predictors(archive) -> List[str]:
    default = getattr(type(archive.model), "default_predictor", None)
    names = sorted(name for name in Predictor.list_available() if fits(archive, name))
    return sorted(names, key=lambda name: name != default)


def _model_type(archive) -> str:
    return archive.config.get("model").get("type", "?") if hasattr(archive.config, "get") else "?"


def check_predictor_fits(archive, predictor_name: str) -> None:
    Predictor.resolve_class_name(predictor_name)  # an unknown name: allennlp's own error
    verdict = fits(archive, predictor_name)
    if verdict:
        check_spacy_model(archive, predictor_name)
    if verdict is not False:
        return
    model = archive.model
    fit = fitting_predictors(archive)
    raise ConfigurationError(
        f"--predictor {predictor_name} does not fit this archive's model '{_model_type(archive)}' "
        f"({type(model).__name__}). Leave --predictor out (the default is "
        f"'{type(model).default_predictor}') or use one of {fit}."
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

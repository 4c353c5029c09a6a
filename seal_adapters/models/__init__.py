"""Models of seal_adapters: `seal_text_classifier`, `seal_multilabel_classifier`, `seal_tagger`."""
from seal_adapters.models.multilabel_classifier import SealMultilabelClassifier
from seal_adapters.models.seal_model import SealModel
from seal_adapters.models.tagger import SealTagger
from seal_adapters.models.text_classifier import SealTextClassifier

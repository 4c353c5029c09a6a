"""Reading the raw-text input lines of `allennlp predict`."""
import functools
from typing import List

from allennlp.common.util import JsonDict

TEXT_KEYS = ("sentence", "text")


def input_text(json_dict: JsonDict) -> str:
    """The text of `{"sentence": ...}` or `{"text": ...}`."""
    for key in TEXT_KEYS:
        if isinstance(json_dict.get(key), str):
            return json_dict[key]
    raise ValueError(
        f"Each input needs a string under 'sentence' or 'text'; got keys {sorted(json_dict)}. "
        'Write lines like {"sentence": "a fine film"}.'
    )


@functools.lru_cache(maxsize=1)
def _english_tokenizer():
    """spaCy's rule-based English tokenizer (the rules every English spaCy model uses, as
    allennlp's tagging predictors split raw sentences), built without downloading a model."""
    import spacy

    return spacy.blank("en").tokenizer


def split_words(text: str) -> List[str]:
    """Words of a raw sentence, punctuation split off ("a book." -> "a", "book", ".")."""
    return [token.text for token in _english_tokenizer()(text) if not token.is_space]


def input_words(json_dict: JsonDict) -> List[str]:
    """Words for tagging: `{"tokens": [...]}` as given, else the text split into words by
    spaCy's English rules (punctuation apart, as allennlp's `sentence_tagger` splits)."""
    tokens = json_dict.get("tokens")
    if isinstance(tokens, list) and all(isinstance(t, str) for t in tokens):
        return tokens
    return split_words(input_text(json_dict))


def keep(outputs: JsonDict, keys) -> JsonDict:
    return {key: outputs[key] for key in keys if key in outputs}

"""Reading the raw-text input lines of `allennlp predict`."""
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


def input_words(json_dict: JsonDict) -> List[str]:
    """Words for tagging: `{"tokens": [...]}`, else the text split on whitespace."""
    tokens = json_dict.get("tokens")
    if isinstance(tokens, list) and all(isinstance(t, str) for t in tokens):
        return tokens
    return input_text(json_dict).split()


def keep(outputs: JsonDict, keys) -> JsonDict:
    return {key: outputs[key] for key in keys if key in outputs}

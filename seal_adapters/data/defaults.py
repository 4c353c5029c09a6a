"""Tokenizer and indexer defaults from one `model_name`, and token truncation.

Why: with the adapter embedders the reader and the embedder must use the same transformer;
`model_name` alone gives the matching allennlp `pretrained_transformer` pieces, so configs
don't repeat them. Without `model_name` or explicit pieces the reader refuses to start,
instead of silently falling back to allennlp's spaCy/single-id defaults.
"""
from typing import Dict, List, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.data.token_indexers import (
    PretrainedTransformerIndexer,
    PretrainedTransformerMismatchedIndexer,
    TokenIndexer,
)
from allennlp.data.tokenizers import PretrainedTransformerTokenizer, Token, Tokenizer


def _missing(reader: str, what: str, example: str) -> ConfigurationError:
    return ConfigurationError(
        f"{reader} has no {what} and no model_name. Give the reader \"model_name\" (the same "
        f"transformer as the embedder, e.g. \"model_name\": \"roberta-base\"), or give {example}."
    )


def default_tokenizer(tokenizer: Optional[Tokenizer], model_name: Optional[str], reader: str,
                      max_tokens: Optional[int] = None) -> Tokenizer:
    """`tokenizer`, else allennlp's `pretrained_transformer` tokenizer on `model_name`."""
    if tokenizer is not None:
        return tokenizer
    if model_name is None:
        raise _missing(reader, "tokenizer", "\"tokenizer\" and \"token_indexers\" explicitly")
    return PretrainedTransformerTokenizer(model_name, max_length=max_tokens)


def default_indexers(token_indexers: Optional[Dict[str, TokenIndexer]],
                     model_name: Optional[str], reader: str,
                     mismatched: bool = False) -> Dict[str, TokenIndexer]:
    """`token_indexers`, else `{"tokens": pretrained_transformer[_mismatched]}` on `model_name`.

    `mismatched` is for word-level input (tagging): allennlp's mismatched indexer splits each
    word into wordpieces and the matching embedder pools them back to one vector per word.
    """
    if token_indexers:
        return token_indexers
    if model_name is None:
        raise _missing(reader, "token_indexers", "\"token_indexers\" explicitly")
    if mismatched:
        return {"tokens": PretrainedTransformerMismatchedIndexer(model_name)}
    return {"tokens": PretrainedTransformerIndexer(model_name)}


def truncate(tokens: List[Token], max_tokens: Optional[int], tokenizer: Tokenizer) -> List[Token]:
    """At most `max_tokens` tokens; a transformer tokenizer's end tokens (`</s>`, `[SEP]`) stay."""
    if max_tokens is None or len(tokens) <= max_tokens:
        return tokens
    end = []
    if isinstance(tokenizer, PretrainedTransformerTokenizer):
        end = list(tokenizer.single_sequence_end_tokens)
    if end and 0 < len(end) < max_tokens and [t.text for t in tokens[-len(end):]] == [
            t.text for t in end]:
        return tokens[: max_tokens - len(end)] + tokens[-len(end):]
    return tokens[:max_tokens]


def check_max_tokens(max_tokens: Optional[int], reader: str) -> None:
    if max_tokens is not None and max_tokens < 1:
        raise ConfigurationError(
            f"{reader}: max_tokens must be a positive number, got {max_tokens}")

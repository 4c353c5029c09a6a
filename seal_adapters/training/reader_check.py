"""The reader must index tokens for the model the embedder runs.

Otherwise token ids silently address the wrong rows of the embedding matrix (or fail deep in
torch with an IndexError at the first batch); checked when training starts.
"""
import os

from allennlp.common.checks import ConfigurationError

from seal_adapters.embedders.model_source import resolve_model_name
from seal_adapters.embedders.pretrained_transformer_with_adapters import (
    PretrainedTransformerWithAdaptersEmbedder,
)


def _canonical(name: str) -> str:
    try:
        resolved = resolve_model_name(name)
    except ConfigurationError:
        return name
    return os.path.realpath(resolved) if os.path.isdir(resolved) else resolved


def check_reader_matches_embedder(trainer) -> None:
    """Raises when the reader's transformer indexers use another model than the embedder, or
    another `max_length` (allennlp folds long texts only when both set the same one)."""
    reader = getattr(getattr(trainer, "data_loader", None), "reader", None)
    indexed, indexer_lengths, vocabularies = set(), set(), []
    for indexer in (getattr(reader, "_token_indexers", None) or {}).values():
        indexer = getattr(indexer, "_matched_indexer", indexer)  # mismatched -> matched
        tokenizer = getattr(indexer, "_tokenizer", None)
        name = getattr(tokenizer, "name_or_path", None)
        if name:
            indexed.add(_canonical(name))
            indexer_lengths.add(getattr(indexer, "_max_length", None))
            vocabularies.append(tokenizer.get_vocab())
    embedders = [m for m in trainer.model.modules()
                 if isinstance(m, PretrainedTransformerWithAdaptersEmbedder)]
    embedded = {m.model_name for m in embedders}
    embedder_lengths = {m._max_length for m in embedders}
    if indexer_lengths and embedder_lengths and indexer_lengths != embedder_lengths:
        raise ConfigurationError(
            f"The reader's token indexer has max_length {_lengths(indexer_lengths)}, but the "
            f"embedder has max_length {_lengths(embedder_lengths)}: allennlp folds long texts "
            "only when both give the same number. Set the same max_length on the indexer and "
            "the embedder, or on neither (long texts are then encoded in windows of the model's "
            "positions)."
        )
    if indexed and embedded and not indexed <= embedded and not _same_vocabularies(vocabularies, embedders):
        raise ConfigurationError(
            f"The dataset reader's token indexers use {sorted(indexed)}, but the embedder runs "
            f"{sorted(embedded)}: token ids would not match its embedding matrix. Use the same "
            "model_name in the reader and the embedder."
        )


def _same_vocabularies(vocabularies, embedders) -> bool:
    """A copy of the model directory, or a link to it, has other names but the same token ids."""
    from allennlp.data.tokenizers import PretrainedTransformerTokenizer

    theirs = [PretrainedTransformerTokenizer(e.model_name).tokenizer.get_vocab() for e in embedders]
    return all(any(vocabulary == other for other in theirs) for vocabulary in vocabularies)


def _lengths(values) -> str:
    return " / ".join("null" if v is None else str(v) for v in sorted(values, key=str))

"""Texts longer than the model's positions: windows by default, allennlp's folding with
max_length, and a clear error for a max_length that cannot work."""
import json

import pytest
import torch
from allennlp.common.checks import ConfigurationError

from seal_adapters.embedders import PretrainedTransformerWithAdaptersEmbedder


@pytest.fixture(scope="module")
def embedder(tiny_roberta):
    torch.manual_seed(0)
    return PretrainedTransformerWithAdaptersEmbedder(tiny_roberta).eval()


def test_a_long_text_is_encoded_window_by_window(embedder):
    window = embedder.position_limit
    assert window == 128  # 130 RoBERTa position rows, two of them reserved for padding
    ids = torch.randint(5, 50, (2, 3 * window + 7))
    mask = torch.ones_like(ids, dtype=torch.bool)
    mask[1, window + 3:] = False
    with torch.no_grad():
        out = embedder(ids, mask)
        first = embedder(ids[:, :window], mask[:, :window])
        second = embedder(ids[:1, window:2 * window], mask[:1, window:2 * window])
    assert out.shape == (2, 3 * window + 7, embedder.get_output_dim())
    assert torch.equal(out[:, :window], first)
    assert torch.equal(out[:1, window:2 * window], second)


def test_one_long_text_does_not_pad_its_batch_to_its_length(embedder):
    """A long text among short ones (a 5,000-wordpiece text in a batch of 32 ran a machine
    out of its 23 GB): the short texts run cut to the longest of them, the long one in windows,
    padding windows skipped; every text's embeddings are what it gets alone."""
    window = embedder.position_limit
    ids = torch.randint(5, 50, (4, 3 * window + 7))
    mask = torch.zeros_like(ids, dtype=torch.bool)
    mask[0, :3 * window + 7] = True  # long: 4 windows
    mask[1, :9] = True
    mask[2, :window] = True  # exactly the positions: not windowed
    mask[3, :window + 1] = True  # just too long: 2 windows
    shapes = []
    hook = embedder.transformer_model.register_forward_pre_hook(
        lambda module, args, kwargs: shapes.append(tuple(kwargs["input_ids"].shape)), with_kwargs=True)
    try:
        with torch.no_grad():
            out = embedder(ids, mask)
            alone = [embedder(ids[i:i + 1, :n], mask[i:i + 1, :n])
                     for i, n in enumerate([3 * window + 7, 9, window, window + 1])]
    finally:
        hook.remove()
    assert shapes[:2] == [(2, window), (4 + 2, window)]  # short rows cut to 128; 4 + 2 windows
    assert out.shape == (4, 3 * window + 7, embedder.get_output_dim())
    computed = [3 * window + 7, window, window, 2 * window]  # beyond: skipped, zeros
    for i, single in enumerate(alone):
        assert torch.allclose(out[i, :single.size(1)], single[0], atol=1e-5), i
        assert torch.equal(out[i, computed[i]:], torch.zeros_like(out[i, computed[i]:])), i


@pytest.mark.parametrize("max_length, expected", [
    (0, "max_length 0: give a whole number above the 2 special token(s)"),
    (-4, "max_length -4: give a whole number above the 2 special token(s)"),
    (2, "max_length 2: give a whole number above the 2 special token(s)"),
    ("512", "max_length '512': give a whole number"),
    (1000, "max_length 1000 is more than the model's 128 positions: use at most 128."),
])
def test_a_max_length_that_cannot_work_is_refused(tiny_roberta, max_length, expected):
    with pytest.raises(ConfigurationError) as error:
        PretrainedTransformerWithAdaptersEmbedder(tiny_roberta, max_length=max_length)
    assert expected in str(error.value)


def test_max_length_without_a_folding_indexer_says_so(tiny_roberta):
    embedder = PretrainedTransformerWithAdaptersEmbedder(tiny_roberta, max_length=64)
    ids = torch.randint(5, 50, (1, 10))
    with pytest.raises(ConfigurationError, match="set the same max_length on the reader's token indexer"):
        embedder(ids, torch.ones_like(ids, dtype=torch.bool))


@pytest.mark.parametrize("max_length", [None, 64])
def test_training_validates_texts_longer_than_the_positions(tiny_roberta, tmp_path, max_length):
    """Long validation texts used to crash after a full epoch of training. Without max_length
    they are windowed; with it on the indexer and the embedder allennlp folds them."""
    from tests.test_models_common import config, embedder, reader, train

    short = [{"text": "a great film", "label": "pos"}, {"text": "so dull", "label": "neg"}] * 8
    long = [{"text": "a great film " * 120, "label": "pos"}, {"text": "so dull " * 200, "label": "neg"}]
    for name, rows in (("train.jsonl", short), ("dev.jsonl", long)):
        (tmp_path / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    reader_params = reader("text", tiny_roberta)
    model = {"type": "seal_text_classifier", "text_field_embedder": embedder(tiny_roberta)}
    if max_length:
        reader_params["token_indexers"]["tokens"]["max_length"] = max_length
        model["text_field_embedder"]["token_embedders"]["tokens"]["max_length"] = max_length
    params = config(reader_params, model, str(tmp_path / "train.jsonl"), str(tmp_path / "dev.jsonl"))
    _, metrics = train(params, tmp_path / "run")
    assert 0.0 <= metrics["validation_accuracy"] <= 1.0
    assert metrics["epoch"] == 0

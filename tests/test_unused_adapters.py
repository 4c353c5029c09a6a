"""An adapter the model's loss never uses: frozen with a warning after the first step (runs
without the alternation callback), reported in the callback's epoch summary (runs with it)."""
import torch

from tests.test_models_common import config, embedder, reader, train


def basic_classifier(model_dir, output):
    emb = embedder(model_dir)
    emb["token_embedders"]["tokens"]["output"] = output
    return {"type": "basic_classifier", "namespace": "tags", "text_field_embedder": emb,
            "seq2vec_encoder": {"type": "cls_pooler", "embedding_dim": 32}}


def log_lines(directory):
    """allennlp's train replaces the logging handlers (caplog sees nothing); its out.log has all."""
    return (directory / "out.log").read_text().splitlines()


def adapter_weights(model, name):
    backbone = model._text_field_embedder.token_embedder_tokens.transformer_model
    return backbone.adapter_parameters(name)


def test_an_adapter_the_loss_never_uses_is_frozen_with_a_warning(tiny_roberta, sentiment_data, tmp_path):
    params = config(reader("text", tiny_roberta), basic_classifier(tiny_roberta, "tasknn"),
                    sentiment_data["train"], sentiment_data["validation"])
    torch.manual_seed(0)
    model, _ = train(params, tmp_path / "run")
    warnings = [line.split(" - ", 3)[-1] for line in log_lines(tmp_path / "run")
                if "received no gradient" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("Adapter 'scorenn' received no gradient in the first training step")
    assert "the embedder's output is 'tasknn'" in warnings[0]
    assert all(not p.requires_grad for p in adapter_weights(model, "scorenn"))
    assert all(p.requires_grad for p in adapter_weights(model, "tasknn"))


def test_the_epoch_summary_says_when_a_turn_had_no_gradient(tiny_roberta, sentiment_data, tmp_path):
    params = config(reader("text", tiny_roberta), basic_classifier(tiny_roberta, "tasknn"),
                    sentiment_data["train"], sentiment_data["validation"], batch_size=32,
                    schedule=[["scorenn", 1], ["tasknn", 1]])
    train(params, tmp_path / "run")
    summary = [line.split(" - ", 3)[-1] for line in log_lines(tmp_path / "run") if "epoch 0 | trained:" in line]
    assert len(summary) == 1
    assert ("scorenn 2 steps (none gave the adapter a gradient: the model's loss does not use its "
            "channel), tasknn 1 steps |") in summary[0]

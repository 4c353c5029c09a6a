"""`seal_text_classifier`: trains, saves and loads; learns the synthetic sentiment rule."""
import pytest
import torch
from allennlp.common.testing import ModelTestCase

from seal_adapters.testing import synthetic_data
from tests.test_models_common import (
    build,
    config,
    embedder,
    one_thread,  # noqa: F401 (a fixture, used below)
    reader,
    train,
    wide_bert,
    write_config,
)

pytestmark = pytest.mark.usefixtures("one_thread")


class TestSealTextClassifier(ModelTestCase):
    def test_train_save_and_load(self, tiny_roberta, sentiment_data, tmp_path):
        # No alternation here: both sides train at once, so the gradient check below asks
        # that the summed loss reaches *every* trainable parameter of both sides (with the
        # callback the idle side would be frozen and skipped by the check).
        params = config(reader("text", tiny_roberta),
                        {"type": "seal_text_classifier",
                         "text_field_embedder": embedder(tiny_roberta)},
                        sentiment_data["train"], sentiment_data["validation"], epochs=1)
        param_file = write_config(tmp_path / "config.json", params)
        self.set_up_model(param_file, sentiment_data["train"])
        self.ensure_batch_predictions_are_consistent()
        self.ensure_model_can_train_save_and_load(param_file)

    def test_train_save_and_load_with_alternation(self, tiny_roberta, sentiment_data, tmp_path):
        # With the callback the trained model's idle side is frozen, so the gradient check
        # covers the side the schedule ended on; the other side is covered above.
        params = config(reader("text", tiny_roberta),
                        {"type": "seal_text_classifier", "scorenn_loss": {"type": "dvn"},
                         "text_field_embedder": embedder(tiny_roberta)},
                        sentiment_data["train"], sentiment_data["validation"], epochs=1,
                        schedule=[["scorenn", 2], ["tasknn", 1]])
        param_file = write_config(tmp_path / "config.json", params)
        self.set_up_model(param_file, sentiment_data["train"])
        self.ensure_model_can_train_save_and_load(param_file)


def test_human_readable_output(tiny_roberta, sentiment_data):
    model, batch, vocab = build(reader("text", tiny_roberta),
                                {"type": "seal_text_classifier",
                                 "text_field_embedder": embedder(tiny_roberta)},
                                sentiment_data["validation"])
    model.eval()
    with torch.no_grad():
        output = model.make_output_human_readable(model(tokens=batch["tokens"]))
    assert set(model.labels) == {"pos", "neg"}
    logits = output["logits"]
    for row, label, probs in zip(logits, output["label"], output["probs"]):
        assert set(probs) == {"pos", "neg"}
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-6)
        assert label == max(probs, key=probs.get) == model.labels[int(row.argmax())]
        assert probs["pos"] == pytest.approx(
            float(torch.softmax(row, -1)[vocab.get_token_index("pos", "labels")]), abs=1e-6)


@pytest.fixture(scope="module")
def sentiment_400(tmp_path_factory):
    """The fixture's 96 sentences are too few for a frozen random tiny backbone to generalise
    from (it memorises them); 400 are enough."""
    root = tmp_path_factory.mktemp("sentiment_400")
    return synthetic_data.write_jsonl_splits(root, synthetic_data.sentiment_examples,
                                             train=(400, 11), validation=(96, 12))


def test_minimal_config_learns_the_sentiment_rule(tmp_path_factory, sentiment_400, tmp_path):
    # The model section gives nothing but the embedder: every other option is a default
    # (mean pooler, NCE ScoreNN loss, cross_entropy_score TaskNN loss, default weight).
    model_dir = wide_bert(tmp_path_factory)
    params = config(reader("text", model_dir),
                    {"type": "seal_text_classifier", "text_field_embedder": embedder(model_dir)},
                    sentiment_400["train"], sentiment_400["validation"], epochs=8, lr=1e-2,
                    schedule=[["scorenn", 1], ["tasknn", 1]], validation_metric="+accuracy")
    _, metrics = train(params, tmp_path / "run")
    majority = 0.5  # the synthetic labels alternate pos / neg
    accuracy = metrics["best_validation_accuracy"]
    print(f"seal_text_classifier validation accuracy {accuracy:.3f} (majority {majority})")
    assert accuracy >= majority + 0.2, metrics
    assert metrics["training_scorenn_loss"] > 0 and "training_tasknn_loss" in metrics

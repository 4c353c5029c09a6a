"""`seal_tagger`: trains, saves and loads on word-level embeddings; learns the synthetic tags."""
import pytest
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.common.testing import ModelTestCase

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


def tagger(model_dir, **options):
    return {"type": "seal_tagger", "text_field_embedder": embedder(model_dir, mismatched=True),
            **options}


class TestSealTagger(ModelTestCase):
    def test_train_save_and_load_with_alternation(self, tiny_bert, tagging_data, tmp_path):
        # With the callback: the idle side is frozen after training, so the gradient check
        # covers the side the schedule ended on (the classifier tests check both sides).
        params = config(reader("tagging", tiny_bert), tagger(tiny_bert),
                        tagging_data["train"], tagging_data["validation"], epochs=1,
                        schedule=[["scorenn", 1], ["tasknn", 1]])
        param_file = write_config(tmp_path / "config.json", params)
        self.set_up_model(param_file, tagging_data["train"])
        self.ensure_model_can_train_save_and_load(param_file)

    def test_train_save_and_load_both_sides(self, tiny_bert, tagging_data, tmp_path):
        params = config(reader("tagging", tiny_bert), tagger(tiny_bert, scorenn_loss={"type": "dvn"}),
                        tagging_data["train"], tagging_data["validation"], epochs=1)
        param_file = write_config(tmp_path / "config.json", params)
        self.set_up_model(param_file, tagging_data["train"])
        self.ensure_batch_predictions_are_consistent()
        self.ensure_model_can_train_save_and_load(param_file)


def test_outputs_one_tag_per_word(tiny_bert, tagging_data):
    model, batch, _ = build(reader("tagging", tiny_bert), tagger(tiny_bert), tagging_data["validation"])
    model.eval()
    with torch.no_grad():
        output = model.make_output_human_readable(model(tokens=batch["tokens"]))
    lengths = batch["tokens"]["tokens"]["mask"].sum(-1).tolist()
    assert [len(tags) for tags in output["tags"]] == lengths
    assert all(tag in model.labels for tags in output["tags"] for tag in tags)
    assert all(0 < p <= 1 for probs in output["tag_probs"] for p in probs)


def test_wordpiece_level_embedder_is_refused(tiny_bert, tagging_data):
    params = tagger(tiny_bert)
    params["text_field_embedder"] = embedder(tiny_bert)  # not mismatched: wordpieces
    with pytest.raises(ConfigurationError,
                       match="tags words.*'pretrained_transformer_mismatched_with_adapters'"):
        build(reader("tagging", tiny_bert), params, tagging_data["validation"])


def test_learns_the_tags(tmp_path_factory, tagging_data, tmp_path):
    model_dir = wide_bert(tmp_path_factory)
    params = config(reader("tagging", model_dir), tagger(model_dir),
                    tagging_data["train"], tagging_data["validation"], epochs=10, lr=1e-2,
                    schedule=[["scorenn", 1], ["tasknn", 1]],
                    validation_metric="+f1-measure-overall")
    _, metrics = train(params, tmp_path / "run")
    f1 = metrics["best_validation_f1-measure-overall"]
    print(f"seal_tagger validation span F1 {f1:.3f}")
    assert f1 >= 0.8, metrics

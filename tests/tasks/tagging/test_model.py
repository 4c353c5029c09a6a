"""`seal_tagger`: trains, saves and loads on word-level embeddings; learns the synthetic tags."""
import pytest
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.common.testing import ModelTestCase

from tests.test_models_common import (
    assert_valid_bio,
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


def test_invalid_transition_rate_by_hand():
    from seal_adapters.tasks.tagging.metrics import InvalidTransitionRate

    labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    metric = InvalidTransitionRate(labels, "BIO")
    predictions = torch.tensor([[1, 2, 0, 0],   # B-PER I-PER O O: valid
                                [0, 2, 0, 0],   # O I-PER: invalid
                                [3, 2, 0, 0],   # B-LOC I-PER: invalid
                                [2, 0, 0, 0]])  # no words: not counted
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0]]).bool()
    metric(predictions, None, mask)
    assert metric.get_metric(reset=True) == pytest.approx(2 / 3)
    metric(torch.tensor([[2, 0]]), None, torch.tensor([[1, 1]]).bool())
    assert metric.get_metric() == 1.0  # I-PER first


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


def test_bioul_trains_and_scores_invalid_predictions(tiny_bert, tmp_path):
    """label_encoding BIOUL: an untrained tagger's argmax tags are rarely valid BIOUL, which
    allennlp's decoder rejects (every run stopped at its first validation batch); the span
    F1 reads them leniently and valid sequences exactly as allennlp does."""
    from allennlp.data.dataset_readers.dataset_utils.span_utils import bioul_tags_to_spans, to_bioul

    from seal_adapters.tasks.tagging.span_f1 import lenient_bioul_tags_to_spans
    from seal_adapters.testing import synthetic_data

    for tags in (["U-PER", "O", "B-LOC", "I-LOC", "L-LOC"], ["B-ORG", "L-ORG", "U-ORG"]):
        assert sorted(lenient_bioul_tags_to_spans(tags)) == sorted(bioul_tags_to_spans(tags))
    assert sorted(lenient_bioul_tags_to_spans(["U-PER", "B-PER", "B-PER"])) == [
        ("PER", (0, 0)), ("PER", (1, 1)), ("PER", (2, 2))]
    paths = {}
    for split, count, seed in (("train", 48, 1), ("validation", 16, 2)):
        sentences = synthetic_data.tagging_sentences(count, seed=seed)
        bioul = [list(zip([w for w, _ in s], to_bioul([t for _, t in s], encoding="BIO"))) for s in sentences]
        paths[split] = synthetic_data.write_bio(str(tmp_path / f"{split}.txt"), bioul)
    assert any(t.startswith(("U-", "L-")) for line in open(paths["train"]) for t in line.split()[1:])
    params = config(reader("tagging", tiny_bert), tagger(tiny_bert, label_encoding="BIOUL"),
                    paths["train"], paths["validation"], epochs=1)
    _, metrics = train(params, tmp_path / "run")
    assert 0.0 <= metrics["validation_f1-measure-overall"] <= 1.0


def test_without_a_tag_scheme_each_tag_gets_precision_recall_and_f1(tiny_bert, tagging_data):
    """POS-style tag sets (label_encoding null): token accuracy and per-tag scores, no spans."""
    model, batch, _ = build(reader("tagging", tiny_bert), tagger(tiny_bert, label_encoding=None),
                            tagging_data["validation"])
    model.eval()
    with torch.no_grad():
        model(**batch)
    metrics = model.get_metrics(reset=True)
    assert "f1-measure-overall" not in metrics and "invalid_transition_rate" not in metrics
    tags = model.labels
    for tag in tags:
        for name in ("precision", "recall", "f1"):
            assert 0.0 <= metrics[f"{name}-{tag}"] <= 1.0
    # recall of a tag by hand: gold words of that tag predicted as it
    with torch.no_grad():
        predicted = model(**batch)["logits"].argmax(-1)
    mask = batch["tokens"]["tokens"]["mask"].bool()
    gold = batch["tags"]
    index = 0
    expected = ((predicted == index) & (gold == index) & mask).sum() / ((gold == index) & mask).sum()
    model(**batch)
    assert model.get_metrics(reset=True)[f"recall-{tags[index]}"] == pytest.approx(float(expected))


def test_constrained_decoding_predicts_valid_bio(tiny_bert, tagging_data):
    model, batch, _ = build(reader("tagging", tiny_bert), tagger(tiny_bert, constrained_decoding=True),
                            tagging_data["validation"])
    model.eval()
    with torch.no_grad():
        output = model.make_output_human_readable(model(**batch))
    assert_valid_bio(output["tags"])

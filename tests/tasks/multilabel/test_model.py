"""`seal_multilabel_classifier`: trains, saves and loads; metrics; SEAL vs cross-entropy only."""
import pytest
import torch
from allennlp.common.testing import ModelTestCase

from seal_adapters.tasks.multilabel.metrics import ExampleF1, MeanAveragePrecision, UnseenLabelSetRate
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


class TestSealMultilabelClassifier(ModelTestCase):
    def test_train_save_and_load(self, tiny_roberta, multilabel_data, tmp_path):
        # No alternation: the summed loss must reach every trainable parameter of both sides.
        params = config(reader("multilabel", tiny_roberta),
                        {"type": "seal_multilabel_classifier", "scorenn_loss": {"type": "margin"},
                         "text_field_embedder": embedder(tiny_roberta)},
                        multilabel_data["train"], multilabel_data["validation"], epochs=1)
        param_file = write_config(tmp_path / "config.json", params)
        self.set_up_model(param_file, multilabel_data["train"])
        self.ensure_batch_predictions_are_consistent()
        self.ensure_model_can_train_save_and_load(param_file)


def test_example_f1_by_hand():
    metric = ExampleF1(threshold=0.5)
    probs = torch.tensor([[0.9, 0.6, 0.1], [0.2, 0.3, 0.4], [0.7, 0.1, 0.1]])
    gold = torch.tensor([[1, 0, 0], [0, 0, 0], [0, 1, 0]])
    # {0,1} vs {0}: 2/3; {} vs {}: 1; {0} vs {1}: 0
    metric(probs, gold)
    assert metric.get_metric(reset=True) == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert metric.get_metric() == 0.0


def test_unseen_label_set_rate_by_hand():
    metric = UnseenLabelSetRate({(), (0,), (0, 2)}, threshold=0.5)
    # predicted {0,1} unseen, {} seen, {0,2} seen, {2} unseen
    metric(torch.tensor([[0.9, 0.6, 0.1], [0.2, 0.3, 0.4], [0.7, 0.1, 0.5], [0.1, 0.1, 0.8]]))
    assert metric.get_metric(reset=True) == pytest.approx(2 / 4)
    assert metric.get_metric() == 0.0


def test_training_label_sets_are_kept_with_the_weights(tiny_roberta, multilabel_data):
    model, batch, _ = build(reader("multilabel", tiny_roberta),
                            {"type": "seal_multilabel_classifier",
                             "text_field_embedder": embedder(tiny_roberta)},
                            multilabel_data["train"])
    model.train()
    model(tokens=batch["tokens"], labels=batch["labels"])
    gold = {tuple(i for i, on in enumerate(row) if on) for row in batch["labels"].tolist()}
    assert model._seen_label_sets == gold
    assert "unseen_label_set_rate" in model.get_metrics(reset=True)
    state = model.state_dict()
    model._seen_label_sets.clear()
    assert "unseen_label_set_rate" not in model.get_metrics()  # no training sets: no rate
    model.load_state_dict(state)
    assert model._seen_label_sets == gold
    del state["_extra_state"]  # weights saved before the sets were kept still load
    model.load_state_dict(state)


def test_mean_average_precision_by_hand():
    metric = MeanAveragePrecision()
    # label 0: positives ranked 1st and 3rd of 3 -> AP = (1/1 + 2/3) / 2 = 5/6
    # label 1: the only positive ranked 1st -> AP = 1; label 2 has no positive: skipped
    metric(torch.tensor([[0.9, 0.8, 0.1], [0.5, 0.1, 0.2]]), torch.tensor([[1, 1, 0], [0, 0, 0]]))
    metric(torch.tensor([[0.2, 0.3, 0.3]]), torch.tensor([[1, 0, 0]]))
    assert metric.get_metric(reset=True) == pytest.approx((5 / 6 + 1) / 2)


def test_human_readable_output_lists_labels_above_threshold(tiny_roberta, multilabel_data):
    model, batch, _ = build(reader("multilabel", tiny_roberta),
                            {"type": "seal_multilabel_classifier", "threshold": 0.5,
                             "text_field_embedder": embedder(tiny_roberta)},
                            multilabel_data["validation"])
    model.eval()
    with torch.no_grad():
        output = model(tokens=batch["tokens"])
        probs = output["probs"].clone()
        readable = model.make_output_human_readable(output)
    assert set(model.labels) == {"animals", "places", "time"}
    for row, labels, scores, all_probs in zip(probs, readable["labels"], readable["scores"],
                                              readable["probs"]):
        expected = {model.labels[i] for i, p in enumerate(row.tolist()) if p >= 0.5}
        assert set(labels) == set(scores) == expected
        assert all(all_probs[label] == pytest.approx(float(p)) for label, p in zip(model.labels, row))
        assert [scores[label] for label in labels] == sorted(scores.values(), reverse=True)


@pytest.fixture(scope="module")
def multilabel_400(tmp_path_factory):
    root = tmp_path_factory.mktemp("multilabel_400")
    return synthetic_data.write_jsonl_splits(root, synthetic_data.multilabel_examples,
                                             train=(400, 11), validation=(96, 12))


def test_seal_is_not_worse_than_cross_entropy_alone(tmp_path_factory, multilabel_400, tmp_path):
    """SEAL at its default score_loss_weight against the same model with weight 0, each the
    mean of two seeds. Both use the same two-adapter embedder, so the adapters start alike
    and only the score loss differs (at weight 0 the scorenn adapter is simply unused)."""
    model_dir = wide_bert(tmp_path_factory)
    results = {}
    for weight in (0.0, None):
        scores = []
        for seed in (13370, 1):
            model = {"type": "seal_multilabel_classifier",
                     "text_field_embedder": embedder(model_dir)}
            if weight is not None:
                model["score_loss_weight"] = weight
            # Both sides train every step (no alternation), so both runs give the TaskNN the
            # same number of optimizer steps.
            params = config(reader("multilabel", model_dir), model, multilabel_400["train"],
                            multilabel_400["validation"], epochs=10, lr=1e-2, batch_size=32,
                            validation_metric="+example_f1")
            params.update(random_seed=seed, numpy_seed=seed, pytorch_seed=seed)
            _, metrics = train(params, tmp_path / f"weight_{weight}_seed_{seed}")
            scores.append(metrics["best_validation_example_f1"])
        results["seal" if weight is None else "cross_entropy"] = scores
    seal, plain = (sum(results[k]) / 2 for k in ("seal", "cross_entropy"))
    message = (f"validation example F1 (mean of seeds 13370, 1): SEAL (default "
               f"score_loss_weight) {seal:.3f} {results['seal']}, cross-entropy only "
               f"(score_loss_weight 0) {plain:.3f} {results['cross_entropy']}")
    print(message)
    assert plain > 0.75, message  # the task is learnable at all
    # "Not worse" up to run noise: one seed against another moves example F1 by up to about
    # 0.05 on these 96 validation examples (and the tiny model's tokenizer is rebuilt per run).
    assert seal >= plain - 0.05, message

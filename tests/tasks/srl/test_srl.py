"""Semantic role labeling: CoNLL-2012 reading (one instance per predicate, brackets to BIO),
the predicate reaching both sides, span F1 without V, constrained decoding, the predictor."""
import pytest
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.models.archival import load_archive
from allennlp.predictors import Predictor

from seal_adapters.data.errors import DataError
from seal_adapters.embedders.sides import sides_by_name
from seal_adapters.tasks import all_tasks
from seal_adapters.tasks.srl.reader import SrlConll2012Reader, bracket_tags
from tests.test_models_common import assert_valid_bio, build, embedder, one_thread, train  # noqa: F401

pytestmark = pytest.mark.usefixtures("one_thread")

ROWS = """#begin document (bc/cctv/00/cctv_0001); part 000
bc/cctv/00/cctv_0001   0   0   John     NNP  (TOP(S(NP*)  -     -   -   Speaker#1  (PERSON)  (ARG0*)  *        (0)
bc/cctv/00/cctv_0001   0   1   sold     VBD  (VP*         sell  01  1   Speaker#1  *         (V*)     *        -
bc/cctv/00/cctv_0001   0   2   the      DT   (NP*         -     -   -   Speaker#1  *         (ARG1*   *        -
bc/cctv/00/cctv_0001   0   3   old      JJ   *            -     -   -   Speaker#1  *         *        *        -
bc/cctv/00/cctv_0001   0   4   car      NN   *)           -     -   -   Speaker#1  *         *)       (ARG0*)  -
bc/cctv/00/cctv_0001   0   5   that     WDT  (SBAR*       -     -   -   Speaker#1  *         *        *        -
bc/cctv/00/cctv_0001   0   6   broke    VBD  (S(VP*)))    break 01  1   Speaker#1  *         *        (V*)     -
bc/cctv/00/cctv_0001   0   7   .        .    *))          -     -   -   Speaker#1  *         *        *        -

bc/cctv/00/cctv_0001   0   0   Hello    UH   (TOP*)       -     -   -   Speaker#1  *         -
#end document
"""


@pytest.fixture(scope="module")
def srl_data(tmp_path_factory):
    return all_tasks()["srl"].example_data(str(tmp_path_factory.mktemp("srl")), "")


def test_one_instance_per_predicate_with_bio_tags(tiny_bert, tmp_path):
    folder = tmp_path / "annotations" / "bc"
    folder.mkdir(parents=True)
    (folder / "cctv_0001.gold_conll").write_text(ROWS)
    (folder / "notes.txt").write_text("not read")
    instances = list(SrlConll2012Reader(model_name=tiny_bert).read(str(tmp_path / "annotations")))
    assert len(instances) == 2  # two predicates; the sentence without one gives none
    first, second = instances
    assert [t.text for t in first["tokens"].tokens] == ["John", "sold", "the", "old", "car", "that", "broke", "."]
    assert first["tags"].labels == ["B-ARG0", "B-V", "B-ARG1", "I-ARG1", "I-ARG1", "O", "O", "O"]
    assert first["verb_indicator"].labels == [0, 1, 0, 0, 0, 0, 0, 0]
    assert second["tags"].labels == ["O", "O", "O", "O", "B-ARG0", "O", "B-V", "O"]
    assert second["metadata"].metadata == {"words": first["metadata"]["words"], "verb": "broke",
                                           "predicate_index": 6}


def test_a_file_without_the_coreference_column_loses_no_predicate(tiny_bert, tmp_path):
    without = "\n".join(" ".join(line.split()[:-1]) if line.split() and not line.startswith("#") else line
                        for line in ROWS.splitlines()) + "\n"
    (tmp_path / "with.gold_conll").write_text(ROWS)
    (tmp_path / "without.gold_conll").write_text(without)
    reader = SrlConll2012Reader(model_name=tiny_bert)
    full = [i["tags"].labels for i in reader.read(str(tmp_path / "with.gold_conll"))]
    cut = [i["tags"].labels for i in reader.read(str(tmp_path / "without.gold_conll"))]
    assert cut == full and len(full) == 2


def test_an_unclosed_span_is_named_at_its_opening_line():
    with pytest.raises(DataError, match="f.gold_conll, line 5: the span ARG1 opened here is never closed"):
        bracket_tags(["*", "*", "(ARG1*", "*"], "f.gold_conll", 3)


@pytest.mark.parametrize("column, message", [
    (["(ARG0*", "*"], "never closed"),
    (["*)", "*"], "closes no open span"),
    (["(ARG0*", "(ARG1*)"], "opens a span inside another"),
    (["ARG0", "*"], "has no '\\*'"),
])
def test_broken_brackets_are_named(column, message):
    with pytest.raises(DataError, match=message):
        bracket_tags(column, "f.gold_conll", 3)


def test_a_file_without_predicates_and_ragged_rows_are_refused(tiny_bert, tmp_path):
    reader = SrlConll2012Reader(model_name=tiny_bert)
    (tmp_path / "none.gold_conll").write_text("d 0 0 Hello UH * - - - - * -\n\n")
    with pytest.raises(DataError, match="no predicate found"):
        list(reader.read(str(tmp_path / "none.gold_conll")))
    (tmp_path / "ragged.gold_conll").write_text("d 0 0 A X * - - - - * (V*) -\nd 0 1 B X * - - - - * -\n\n")
    with pytest.raises(DataError, match="line 2: 12 columns where the sentence's first row has 13"):
        list(reader.read(str(tmp_path / "ragged.gold_conll")))
    with pytest.raises(DataError, match="no file whose name ends in 'gold_conll'"):
        list(reader.read(str(tmp_path / "empty_dir" if (tmp_path / "empty_dir").mkdir() is None else "")))


def srl_model(tiny_bert, **options):
    return {"type": "seal_srl_tagger", "text_field_embedder": embedder(tiny_bert, mismatched=True),
            "score_loss_weight": 1.0, "scorenn_loss": {"type": "margin", "num_samples": 4},
            "energy": {"type": "self_attention"}, **options}


def test_the_predicate_reaches_both_sides_and_v_is_not_a_span(tiny_bert, srl_data):
    model, batch, _ = build({"type": "seal_srl_conll2012", "model_name": tiny_bert},
                            srl_model(tiny_bert), srl_data["validation"])
    sides = sides_by_name(model, ["tasknn", "scorenn"])
    assert sides["predicate_indicators.tasknn.weight"] == "tasknn"
    assert sides["predicate_indicators.scorenn.weight"] == "scorenn"
    model.eval()
    with torch.no_grad():
        logits = model(**batch)["logits"]
        moved = dict(batch, verb_indicator=torch.roll(batch["verb_indicator"], 1, dims=1))
        assert not torch.allclose(model(**moved)["logits"], logits)  # the predicate is an input
    model.train()
    # the heads' output layers start at zero (no gradient reaches their input yet): as after training
    torch.nn.init.normal_(model.heads["scorenn"].tag_embeddings.weight, std=0.1)
    output = model(**batch)
    output["loss"].backward()
    for side in ("tasknn", "scorenn"):  # each side's indicator gets a gradient from its loss
        assert model.predicate_indicators[side].weight.grad.abs().sum() > 0
    model.get_metrics(reset=True)
    # span F1 leaves out V: gold tags as predictions score 1.0 with the V span ignored
    gold = batch["tags"]
    perfect = torch.nn.functional.one_hot(gold, len(model.labels)).float()
    mask = batch["tokens"]["tokens"]["mask"]
    model._spans(perfect, gold, mask)
    assert "V" not in {label.split("-", 1)[-1] for label in model._spans._true_positives}
    assert model._spans.get_metric(reset=True)["f1-measure-overall"] == pytest.approx(1.0)


def test_constrained_decoding_never_predicts_an_invalid_transition(tiny_bert, srl_data):
    model, batch, _ = build({"type": "seal_srl_conll2012", "model_name": tiny_bert},
                            srl_model(tiny_bert, constrained_decoding=True), srl_data["validation"])
    model.eval()
    with torch.no_grad():
        output = model.make_output_human_readable(model(**batch))
    assert_valid_bio(output["tags"])
    with pytest.raises(ConfigurationError, match="constrained_decoding needs a label_encoding"):
        build({"type": "seal_srl_conll2012", "model_name": tiny_bert},
              srl_model(tiny_bert, constrained_decoding=True, label_encoding=None), srl_data["validation"])


def test_trains_evaluates_and_predicts_from_tokens_and_a_predicate(tiny_bert, srl_data, tmp_path):
    config = {
        "dataset_reader": {"type": "seal_srl_conll2012", "model_name": tiny_bert},
        "train_data_path": srl_data["train"], "validation_data_path": srl_data["validation"],
        "test_data_path": srl_data["test"], "evaluate_on_test": True,
        "model": srl_model(tiny_bert),
        "data_loader": {"batch_size": 16, "shuffle": True},
        "trainer": {"num_epochs": 1, "optimizer": {"type": "adamw", "lr": 1e-3},
                    "callbacks": [{"type": "adapter_schedule", "mode": "joint"}]},
    }
    _, metrics = train(config, tmp_path / "run")
    assert 0.0 <= metrics["test_f1-measure-overall"] <= 1.0
    assert 0.0 <= metrics["test_invalid_transition_rate"] <= 1.0
    predictor = Predictor.from_archive(load_archive(str(tmp_path / "run" / "model.tar.gz")))
    assert type(predictor).__name__ == "SealSrlPredictor"
    words = ["Mary", "sold", "the", "car", "yesterday", "."]
    output = predictor.predict_json({"tokens": words, "predicate_index": 1})
    assert output["tokens"] == words and output["verb"] == "sold" and len(output["tags"]) == 6
    with pytest.raises(ValueError, match="'predicate_index', the 0-based position"):
        predictor.predict_json({"tokens": words, "predicate_index": 6})
    import spacy.util

    archive = load_archive(str(tmp_path / "run" / "model.tar.gz"))
    if "semantic_role_labeling" in Predictor.list_available() and not spacy.util.is_package("en_core_web_sm"):
        with pytest.raises(ConfigurationError, match="--predictor semantic_role_labeling splits raw "
                                                     "sentences with spaCy's 'en_core_web_sm' model, "
                                                     "which is not installed.*'seal_srl'"):
            Predictor.from_archive(archive, "semantic_role_labeling")

"""Sentence-pair classification: the reader's two layouts and pair encoding, training through
allennlp, the predictor, the predictor fit check, and `compare --task` finding the task."""
import json
import logging

import pytest
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.models.archival import load_archive
from allennlp.predictors import Predictor

from seal_adapters.data.errors import DataError
from seal_adapters.tasks import all_tasks
from seal_adapters.tasks.pair_classification.reader import PairJsonlReader
from tests.test_models_common import embedder, one_thread, train  # noqa: F401

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def pair_data(tmp_path_factory):
    return all_tasks()["pair_classification"].example_data(str(tmp_path_factory.mktemp("pairs")), "")


def write(path, lines):
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(path)


def test_both_layouts_encode_the_transformers_pair_input(tiny_bert, tmp_path, caplog):
    path = write(tmp_path / "mixed.jsonl", [
        {"premise": "a fine film", "hypothesis": "it was good", "label": "entailment"},
        {"sentence1": "a dull plot", "sentence2": "it was good", "gold_label": "contradiction"},
        {"sentence1": "no majority", "sentence2": "here", "gold_label": "-"},
        {"sentence1": "also none", "sentence2": "here", "gold_label": "-"},
    ])
    reader = PairJsonlReader(model_name=tiny_bert)
    with caplog.at_level(logging.INFO):
        instances = list(reader.read(path))
    assert [i["label"].label for i in instances] == ["entailment", "contradiction"]
    assert "skipped 2 pair(s)" in caplog.text and "labelled '-'" in caplog.text
    tokens = instances[0]["tokens"].tokens
    texts, types = [t.text for t in tokens], [t.type_id for t in tokens]
    assert texts[0] == "[CLS]" and texts.count("[SEP]") == 2 and texts[-1] == "[SEP]"
    boundary = texts.index("[SEP]") + 1
    assert types == [0] * boundary + [1] * (len(texts) - boundary)
    reader.apply_token_indexers(instances[0])
    instances[0].index_fields(Vocabulary.from_instances(instances))
    tensors = instances[0].as_tensor_dict()["tokens"]["tokens"]
    assert tensors["type_ids"].tolist() == types  # the embedder receives the segments


def test_max_tokens_cuts_the_longer_text_first(tiny_bert):
    reader = PairJsonlReader(model_name=tiny_bert, max_tokens=8)
    tokens = [t.text for t in reader.text_to_instance("one two three four five six seven", "a b")["tokens"].tokens]
    assert len(tokens) == 8 and tokens[-3:] == ["a", "b", "[SEP]"]


def test_bad_lines_name_the_problem_and_the_fix(tiny_bert, tmp_path):
    reader = PairJsonlReader(model_name=tiny_bert)
    with pytest.raises(DataError, match=r"line 1: no sentence pair: .*'premise' and 'hypothesis'.*"
                                        r"keys 'text', 'label'"):
        list(reader.read(write(tmp_path / "a.jsonl", [{"text": "x", "label": "y"}])))
    with pytest.raises(DataError, match="line 1: missing key 'label'"):
        list(reader.read(write(tmp_path / "b.jsonl", [{"premise": "x", "hypothesis": "y"}])))
    (tmp_path / "c.jsonl").write_text('{"premise": "x", "hypothesis": \n')
    with pytest.raises(DataError, match=r"line 1: malformed JSON.*e\.g\. \{\"premise\""):
        list(reader.read(str(tmp_path / "c.jsonl")))
    with pytest.raises(ConfigurationError, match="add_special_tokens"):
        from allennlp.data.tokenizers import PretrainedTransformerTokenizer
        PairJsonlReader(tokenizer=PretrainedTransformerTokenizer(tiny_bert))


def test_trains_and_predicts_a_label_with_probabilities(tiny_bert, pair_data, tmp_path):
    config = {
        "dataset_reader": {"type": "seal_pair_jsonl", "model_name": tiny_bert},
        "train_data_path": pair_data["train"], "validation_data_path": pair_data["validation"],
        "test_data_path": pair_data["test"], "evaluate_on_test": True,
        "model": {"type": "seal_pair_classifier", "text_field_embedder": embedder(tiny_bert),
                  "score_loss_weight": 0.1, "scorenn_loss": {"type": "margin"}},
        "data_loader": {"batch_size": 16, "shuffle": True},
        "trainer": {"num_epochs": 1, "optimizer": {"type": "adamw", "lr": 1e-3},
                    "callbacks": [{"type": "adapter_schedule", "mode": "joint"}]},
    }
    _, metrics = train(config, tmp_path / "run")
    assert 0.0 <= metrics["test_accuracy"] <= 1.0 and metrics["training_scorenn_loss"] > 0
    archive = load_archive(str(tmp_path / "run" / "model.tar.gz"))
    predictor = Predictor.from_archive(archive)  # the model's default: the pair predictor
    assert type(predictor).__name__ == "SealPairClassifierPredictor"
    output = predictor.predict_json({"premise": "a superb film", "hypothesis": "the film was good"})
    assert set(output) == {"premise", "hypothesis", "label", "probs"}
    assert set(output["probs"]) == {"entailment", "contradiction"}
    assert sum(output["probs"].values()) == pytest.approx(1.0, abs=1e-5)
    assert output["label"] == max(output["probs"], key=output["probs"].get)
    snli = predictor.predict_json({"sentence1": "a superb film", "sentence2": "the film was good"})
    assert snli["probs"] == pytest.approx(output["probs"])
    with pytest.raises(ValueError, match="'premise' and 'hypothesis'"):
        predictor.predict_json({"sentence": "one text only"})
    # fit judged by what a predictor needs: a one-text predictor does not fit a pair reader
    with pytest.raises(ConfigurationError, match=r"--predictor seal_text_classifier does not fit.*"
                                                  r"\['seal_pair_classifier'(, 'textual_entailment')?\]"):
        Predictor.from_archive(archive, "seal_text_classifier")
    if "textual_entailment" in Predictor.list_available():  # allennlp-models' predictor fits too
        entailment = Predictor.from_archive(archive, "textual_entailment")
        theirs = entailment.predict(premise="a superb film", hypothesis="the film was good")
        assert theirs["label"] == output["label"]
        # its input lines need 'premise' / 'hypothesis': an SNLI-keyed line is named, not a KeyError
        from allennlp.commands.predict import _PredictManager

        lines = tmp_path / "snli_keys.jsonl"
        lines.write_text('{"sentence1": "a superb film", "sentence2": "the film was good"}\n')
        with pytest.raises(DataError, match=r"snli_keys.jsonl, line 1: cannot predict this line: the "
                                            r"predictor \(TextualEntailmentPredictor\) reads the key "
                                            r"'premise', which the line lacks.*leave --predictor out"):
            _PredictManager(entailment, str(lines), str(tmp_path / "out.jsonl"), 1, False, False).run()
    # python -m seal_adapters predict: a line the predictor cannot read is its message, no traceback
    import argparse

    from seal_adapters.cli import predict as predict_cli

    plain = tmp_path / "plain.txt"
    plain.write_text("one text only\n")
    with pytest.raises(SystemExit, match=r"error: .*plain.txt, input 1: Each input needs strings under "
                                         r"'premise' and 'hypothesis'"):
        predict_cli.run(argparse.Namespace(archive=str(tmp_path / "run" / "model.tar.gz"),
                                           input=str(plain), json=False))
    batch = predictor.predict_batch_json([{"premise": "a", "hypothesis": "b"}] * 2)
    assert batch[0]["probs"] == pytest.approx(batch[1]["probs"])
    assert torch.isfinite(torch.tensor(list(output["probs"].values()))).all()


def test_compare_knows_the_task_and_asks_for_its_data(monkeypatch):
    task = all_tasks()["pair_classification"]
    assert task.metric == "accuracy"
    for name in ("SEAL_TRAIN", "SEAL_VALIDATION", "SEAL_TEST"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit, match="ships no data: set SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST"):
        task.data_paths()
    monkeypatch.setenv("SEAL_TRAIN", "t.jsonl")
    monkeypatch.setenv("SEAL_VALIDATION", "v.jsonl")
    monkeypatch.setenv("SEAL_TEST", "")
    assert task.data_paths() == {"SEAL_TRAIN": "t.jsonl", "SEAL_VALIDATION": "v.jsonl", "SEAL_TEST": ""}

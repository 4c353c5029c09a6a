"""Predictors: raw text in, label names with probabilities out, found from the archive alone."""
import json

import pytest
from allennlp.predictors import Predictor

from tests.conftest import run_cli
from tests.test_models_common import (
    config,
    embedder,
    one_thread,  # noqa: F401 (a fixture, used below)
    reader,
    train,
)

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def archives(tiny_roberta, tiny_bert, sentiment_data, multilabel_data, tagging_data,
             tmp_path_factory):
    """One short training run per model; archive paths by model name."""
    root = tmp_path_factory.mktemp("predictor_archives")
    runs = {
        "seal_text_classifier": config(
            reader("text", tiny_roberta),
            {"type": "seal_text_classifier", "text_field_embedder": embedder(tiny_roberta)},
            sentiment_data["train"], sentiment_data["validation"]),
        "seal_multilabel_classifier": config(
            reader("multilabel", tiny_roberta),
            {"type": "seal_multilabel_classifier", "text_field_embedder": embedder(tiny_roberta)},
            multilabel_data["train"], multilabel_data["validation"]),
        "seal_tagger": config(
            reader("tagging", tiny_bert),
            {"type": "seal_tagger", "text_field_embedder": embedder(tiny_bert, mismatched=True)},
            tagging_data["train"], tagging_data["validation"]),
    }
    paths = {}
    for name, params in runs.items():
        train(params, root / name)
        paths[name] = str(root / name / "model.tar.gz")
    return paths


def load(path) -> Predictor:
    return Predictor.from_path(path)  # no predictor name: the model's default_predictor


def test_text_classifier_predictor(archives):
    predictor = load(archives["seal_text_classifier"])
    assert type(predictor).__name__ == "SealTextClassifierPredictor"
    output = predictor.predict_json({"sentence": "the film was superb"})
    assert set(output) == {"label", "probs"}
    assert set(output["probs"]) == {"pos", "neg"}
    assert sum(output["probs"].values()) == pytest.approx(1.0, abs=1e-6)
    assert output["label"] == max(output["probs"], key=output["probs"].get)
    # "text" works as well as "sentence", and batches give the same answers.
    again = predictor.predict_json({"text": "the film was superb"})
    assert again["label"] == output["label"]
    assert again["probs"] == pytest.approx(output["probs"], abs=1e-6)
    batch = predictor.predict_batch_json([{"sentence": "the film was superb"},
                                          {"text": "an awful dull plot"}])
    assert batch[0]["label"] == output["label"]
    assert batch[0]["probs"] == pytest.approx(output["probs"], abs=1e-5)
    with pytest.raises(ValueError, match="'sentence' or 'text'"):
        predictor.predict_json({"review": "no text key"})


def test_multilabel_predictor(archives):
    predictor = load(archives["seal_multilabel_classifier"])
    assert type(predictor).__name__ == "SealMultilabelClassifierPredictor"
    output = predictor.predict_json({"sentence": "the dog in paris on monday"})
    assert set(output) == {"labels", "scores", "probs"}
    assert set(output["probs"]) == {"animals", "places", "time"}
    assert output["scores"] == {k: v for k, v in output["probs"].items() if v >= 0.5}
    assert sorted(output["labels"]) == sorted(output["scores"])


def test_tagger_predictor(archives):
    predictor = load(archives["seal_tagger"])
    assert type(predictor).__name__ == "SealTaggerPredictor"
    output = predictor.predict_json({"sentence": "john met mary in paris"})
    assert output["tokens"] == ["john", "met", "mary", "in", "paris"]
    assert len(output["tags"]) == len(output["tag_probs"]) == 5
    tag_set = {"O", "B-LOC", "B-PER", "B-ORG", "I-ORG"}
    assert set(output["tags"]) <= tag_set
    assert predictor.predict_json({"tokens": ["john", "met", "mary", "in", "paris"]})["tags"] == output["tags"]


LONG_WORDS = ("a wonderful story about john and mary in paris " * 60).split()  # 540 words


def test_texts_longer_than_the_models_positions_get_predictions(archives):
    """The tiny models have 128 positions; a 540-word text is encoded in windows of them."""
    classifier = load(archives["seal_text_classifier"])
    output = classifier.predict_json({"sentence": " ".join(LONG_WORDS)})
    assert output["label"] in ("pos", "neg")
    assert sum(output["probs"].values()) == pytest.approx(1.0, abs=1e-6)
    tagger = load(archives["seal_tagger"])
    tagged = tagger.predict_json({"tokens": LONG_WORDS})
    assert len(tagged["tags"]) == len(tagged["tag_probs"]) == len(LONG_WORDS)
    assert set(tagged["tags"]) <= {"O", "B-LOC", "B-PER", "B-ORG", "I-ORG"}


def test_allennlp_predict_needs_no_predictor_flag(archives, tmp_path):
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text('{"sentence": "a wonderful story"}\n{"text": "a boring ending"}\n'
                      + json.dumps({"sentence": " ".join(LONG_WORDS)}) + "\n")
    outputs = tmp_path / "predictions.jsonl"
    result = run_cli(["allennlp", "predict", archives["seal_text_classifier"], str(inputs),
                      "--output-file", str(outputs), "--include-package", "seal_adapters",
                      "--silent"])
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in outputs.read_text().splitlines()]
    assert len(lines) == 3  # the third is longer than the model's positions
    for line in lines:
        assert set(line) == {"label", "probs"} and line["label"] in ("pos", "neg")
        assert sum(line["probs"].values()) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("lines, expected", [
    (['{"sentence": "a wonderful story"}', '{"sentence": "a boring'],
     "inputs.jsonl, line 2: malformed JSON"),
    (['{"sentence": "a wonderful story"}', "", '{"review": "no text key"}'],
     "inputs.jsonl, line 3: cannot predict this line: Each input needs a string under 'sentence' or 'text'"),
])
def test_allennlp_predict_names_the_bad_input_line(archives, tmp_path, lines, expected):
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text("\n".join(lines) + "\n")
    outputs = tmp_path / "predictions.jsonl"
    result = run_cli(["allennlp", "predict", archives["seal_text_classifier"], str(inputs),
                      "--output-file", str(outputs), "--include-package", "seal_adapters", "--silent"])
    assert result.returncode != 0
    assert expected in result.stderr, result.stderr[-3000:]
    assert not outputs.exists() or outputs.read_text() == ""  # nothing predicted before the error

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
    # a raw sentence is split as allennlp's tagging predictors split it: punctuation apart
    raw = predictor.predict_json({"sentence": "john met mary in paris."})
    words = ["john", "met", "mary", "in", "paris", "."]
    assert raw["tokens"] == words
    assert raw["tags"] == predictor.predict_json({"tokens": words})["tags"]


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
    (["a wonderful story", "a boring ending"], "inputs.jsonl, line 1: malformed JSON"),  # plain text
])
def test_allennlp_predict_names_the_bad_input_line(archives, tmp_path, lines, expected):
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text("\n".join(lines) + "\n")
    outputs = tmp_path / "predictions.jsonl"
    result = run_cli(["allennlp", "predict", archives["seal_text_classifier"], str(inputs),
                      "--output-file", str(outputs), "--include-package", "seal_adapters", "--silent"])
    assert result.returncode != 0
    assert expected in result.stderr, result.stderr[-3000:]
    assert "Traceback" not in result.stderr  # the message, not a traceback
    assert not outputs.exists() or outputs.read_text() == ""  # nothing predicted before the error


def test_a_predictor_that_does_not_fit_the_model_is_refused_by_name(tiny_roberta, sentiment_data, tmp_path):
    """seal_tagger / seal_multilabel_classifier / allennlp's sentence_tagger on a text classifier
    archive: a ConfigurationError naming the predictors that fit, before any output; the
    classifier's own and allennlp's text_classifier work."""
    from allennlp.commands.train import train_model
    from allennlp.common import Params
    from allennlp.common.checks import ConfigurationError
    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    from tests.test_models_common import config, embedder, reader

    params = config(reader("text", tiny_roberta), {"type": "seal_text_classifier",
                                                  "text_field_embedder": embedder(tiny_roberta)},
                    sentiment_data["train"], sentiment_data["validation"])
    params["trainer"]["num_epochs"] = 1
    train_model(Params(params), str(tmp_path / "run"))
    archive = load_archive(str(tmp_path / "run" / "model.tar.gz"))
    for wrong in ("seal_tagger", "seal_multilabel_classifier", "sentence_tagger"):
        with pytest.raises(ConfigurationError) as error:
            Predictor.from_archive(archive, wrong)
        assert str(error.value) == (
            f"--predictor {wrong} does not fit this archive's model 'seal_text_classifier' "
            "(SealTextClassifier). Leave --predictor out (the default is 'seal_text_classifier') or "
            "use one of ['seal_text_classifier', 'text_classifier'].")
    for right in (None, "seal_text_classifier", "text_classifier"):
        assert Predictor.from_archive(archive, right).predict_json({"sentence": "a fine film"})["label"] in {
            "pos", "neg"}

    # allennlp predict's manager: the output file appears whole or not at all
    from allennlp.commands.predict import _PredictManager

    from seal_adapters.data.errors import DataError

    predictor = Predictor.from_archive(archive)
    output, good, bad = tmp_path / "out.jsonl", tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    output.write_text("earlier predictions\n")
    good.write_text('{"sentence": "a fine film"}\n{"sentence": "so dull"}\n')
    bad.write_text('{"sentence": "a fine film"}\n{"sentence":\n')
    with pytest.raises(DataError, match="bad.jsonl, line 2: malformed JSON"):
        _PredictManager(predictor, str(bad), str(output), 1, False, False).run()
    assert output.read_text() == "earlier predictions\n"
    _PredictManager(predictor, str(good), str(output), 1, False, False).run()
    assert [json.loads(line)["label"] in {"pos", "neg"} for line in output.read_text().splitlines()] == [True] * 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_allennlp_predict_refuses_to_write_over_its_input(archives, tmp_path):
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text('{"sentence": "a gorgeous film"}\n{"sentence": "a tedious mess"}\n')
    before = inputs.read_bytes()
    result = run_cli(["allennlp", "predict", archives["seal_text_classifier"], str(inputs),
                      "--output-file", str(inputs), "--include-package", "seal_adapters", "--silent"])
    assert result.returncode != 0
    assert f"--output-file {inputs} is the input file: the predictions would replace the inputs" in result.stderr
    assert inputs.read_bytes() == before

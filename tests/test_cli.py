"""End to end through the real `allennlp` CLI, in subprocesses, as a user runs it."""
import json
import os
import tarfile

import pytest
import torch
from safetensors.torch import load_file

from tests.conftest import REPO, run_cli

CONFIG = os.path.join(REPO, "tests", "configs", "two_adapters_classifier.jsonnet")


@pytest.fixture(scope="module")
def trained(tiny_roberta, sentiment_data, tmp_path_factory):
    """One training run shared by the tests below (from a directory without .allennlp_plugins)."""
    out = str(tmp_path_factory.mktemp("cli") / "run")
    env = env_for(tiny_roberta, sentiment_data)
    result = run_cli(["allennlp", "train", CONFIG, "-s", out, "--include-package", "seal_adapters",
                      "-o", json.dumps({"trainer.num_epochs": 2})], env, cwd=os.path.dirname(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return out, env, result


def env_for(model_dir, data):
    return {"SEAL_TRANSFORMER": model_dir, "SEAL_HIDDEN_SIZE": "32",
            "SEAL_TRAIN": data["train"], "SEAL_VALIDATION": data["validation"]}


def test_train_writes_archive_with_adapters_and_untouched_backbone(trained, tiny_roberta):
    out, _, result = trained
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert 0.0 <= metrics["validation_accuracy"] <= 1.0 and metrics["epoch"] == 1
    log = open(os.path.join(out, "out.log")).read()
    assert "epoch 1 | trained: scorenn 3 steps, tasknn 3 steps" in log  # the per-epoch summary
    best = torch.load(os.path.join(out, "best.th"), weights_only=True)
    adapter_keys = [k for k in best if ".adapters." in k]
    assert any(".adapters.scorenn." in k for k in adapter_keys)
    assert any(".adapters.tasknn." in k for k in adapter_keys)
    original = load_file(os.path.join(tiny_roberta, "model.safetensors"))
    prefix = "_text_field_embedder.token_embedder_tokens.transformer_model.model."
    compared = 0
    for key, value in original.items():
        trained_key = prefix + key.removeprefix("roberta.")
        if trained_key in best:
            assert torch.equal(best[trained_key], value), key
            compared += 1
    assert compared >= 20
    with tarfile.open(os.path.join(out, "model.tar.gz")) as archive:
        assert {"weights.th", "config.json"} <= set(archive.getnames())


def test_evaluate_reloads_the_adapters(trained, sentiment_data):
    out, env, _ = trained
    output = os.path.join(out, "eval.json")
    result = run_cli(["allennlp", "evaluate", os.path.join(out, "model.tar.gz"), sentiment_data["test"],
                      "--output-file", output], env)  # plugin found through .allennlp_plugins
    assert result.returncode == 0, result.stderr[-3000:]
    evaluated = json.load(open(output))
    assert 0.0 <= evaluated["accuracy"] <= 1.0
    # Same data as validation -> same accuracy as training reported for its best epoch.
    again = os.path.join(out, "eval_validation.json")
    run_cli(["allennlp", "evaluate", os.path.join(out, "model.tar.gz"), sentiment_data["validation"],
             "--output-file", again], env)
    best = json.load(open(os.path.join(out, "metrics.json")))["best_validation_accuracy"]
    assert json.load(open(again))["accuracy"] == pytest.approx(best)
    # An empty file is refused, not reported as accuracy 0.0, with allennlp's own reader too
    # (the plugin's reader refuses it itself).
    empty, refused = os.path.join(out, "empty.jsonl"), os.path.join(out, "eval_empty.json")
    open(empty, "w").close()
    result = run_cli(["allennlp", "evaluate", os.path.join(out, "model.tar.gz"), empty,
                      "--output-file", refused, "-o",
                      json.dumps({"dataset_reader.type": "text_classification_json"})], env)
    assert result.returncode != 0
    assert (f"{empty}: the evaluation data gave 0 instances, so there is nothing to evaluate"
            in result.stderr), result.stderr[-3000:]
    assert not os.path.exists(refused)
    # So is a file without labels (allennlp's reader reads it; its metrics would read 0.0).
    unlabelled = os.path.join(out, "unlabelled.jsonl")
    with open(unlabelled, "w") as handle:
        handle.write('{"text": "a fine film"}\n{"text": "so dull"}\n')
    result = run_cli(["allennlp", "evaluate", os.path.join(out, "model.tar.gz"), unlabelled,
                      "--output-file", refused, "-o",
                      json.dumps({"dataset_reader.type": "text_classification_json"})], env)
    assert result.returncode != 0
    assert (f"{unlabelled}: none of its 2 instance(s) has a label, so there is nothing to score the "
            "predictions against" in result.stderr), result.stderr[-3000:]
    assert not os.path.exists(refused)


def test_predict_outputs_labels(trained, tmp_path):
    out, env, _ = trained
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text('{"sentence": "the film was great"}\n{"sentence": "a dull movie"}\n')
    output = tmp_path / "predictions.jsonl"
    result = run_cli(["allennlp", "predict", os.path.join(out, "model.tar.gz"), str(inputs),
                      "--predictor", "text_classifier", "--output-file", str(output), "--silent",
                      "--include-package", "seal_adapters"], env)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert row["label"] in {"pos", "neg"}
        assert sum(row["probs"]) == pytest.approx(1.0, abs=1e-5)


def test_recover_on_a_finished_run_changes_nothing(trained):
    out, env, _ = trained
    before = {name: open(os.path.join(out, name), "rb").read() for name in ("metrics.json", "model.tar.gz")}
    result = run_cli(["allennlp", "train", CONFIG, "-s", out, "--recover",
                      "-o", json.dumps({"trainer.num_epochs": 2})], env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"--recover: the run in {out} is finished" in result.stderr
    assert "Training\n" not in result.stderr
    assert {name: open(os.path.join(out, name), "rb").read() for name in before} == before


def test_existing_serialization_dir_is_kept_without_force(trained):
    out, env, _ = trained
    before = sorted(os.listdir(out))
    result = run_cli(["allennlp", "train", CONFIG, "-s", out], env)
    assert result.returncode != 0
    assert "already exists" in result.stderr
    assert sorted(os.listdir(out)) == before


def test_force_never_deletes_the_runs_own_data(tiny_roberta, tmp_path):
    """`--force` deletes the serialization directory; with the training data inside it, the
    run is refused and every file stays."""
    import shutil

    from allennlp.commands.train import train_model
    from allennlp.common import Params
    from allennlp.common.checks import ConfigurationError

    from tests.test_models_common import config, embedder, reader

    run = tmp_path / "run"
    run.mkdir()
    data = run / "train.jsonl"
    data.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n"
                            for t, lab in [("a great film", "pos"), ("so dull", "neg")] * 4))
    shutil.copy(data, run / "dev.jsonl")
    params = config(reader("text", tiny_roberta), {"type": "seal_text_classifier",
                                                  "text_field_embedder": embedder(tiny_roberta)},
                    str(data), str(run / "dev.jsonl"))
    with pytest.raises(ConfigurationError) as error:
        train_model(Params(params), str(run), force=True)
    assert (f"--force would delete {run}, which holds this run's train_data_path ({data}). "
            "Nothing was deleted.") in str(error.value)
    assert sorted(os.listdir(run)) == ["dev.jsonl", "train.jsonl"]


def test_force_refuses_a_folder_that_is_no_run_and_s_that_is_a_file(tiny_roberta, tmp_path):
    """A typo in -s must not cost the user's files: `--force` on a folder of files that no
    allennlp run wrote (no config.json / vocabulary/) deletes nothing; -s naming a file is
    refused, the file kept byte for byte."""
    from allennlp.commands.train import train_model
    from allennlp.common import Params
    from allennlp.common.checks import ConfigurationError

    from tests.test_models_common import config, embedder, reader

    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n"
                            for t, lab in [("a great film", "pos"), ("so dull", "neg")] * 4))
    params = config(reader("text", tiny_roberta), {"type": "seal_text_classifier",
                                                  "text_field_embedder": embedder(tiny_roberta)},
                    str(data), str(data))
    user = tmp_path / "userdir"
    user.mkdir()
    (user / "README.txt").write_text("important\n")
    (user / "notes.jsonl").write_text("{}\n")
    with pytest.raises(ConfigurationError) as error:
        train_model(Params(params), str(user), force=True)
    assert (f"--force would delete {user}, but it is not a training run's directory (no config.json "
            "or vocabulary/): it holds README.txt, notes.jsonl. Nothing was deleted.") in str(error.value)
    assert sorted(os.listdir(user)) == ["README.txt", "notes.jsonl"]
    with pytest.raises(ConfigurationError, match=f"Serialization directory {data} is a file, not a directory"):
        train_model(Params(params), str(data), force=True)
    assert data.read_text().count("\n") == 8


def test_force_keeps_the_replaced_run_until_the_new_one_passes_its_checks(trained, tmp_path):
    """`--force` over a finished run with a config refused before training (a typo): the
    finished run is back, byte for byte; with a good config it is replaced."""
    import shutil

    out, env, _ = trained
    run = str(tmp_path / "run")
    shutil.copytree(out, run)

    def files():
        return {os.path.relpath(os.path.join(root, name), run): open(os.path.join(root, name), "rb").read()
                for root, _, names in os.walk(run) for name in names}

    before = files()
    refused = run_cli(["allennlp", "train", CONFIG, "-s", run, "--force", "--include-package", "seal_adapters",
                       "-o", json.dumps({"trainer.num_epochs": 1, "trainer.validation_metric": "+acuracy"})], env)
    assert refused.returncode != 0
    assert "the run it would have replaced is back in" in refused.stderr, refused.stderr[-3000:]
    assert files() == before
    assert not [n for n in os.listdir(tmp_path) if ".replaced-" in n]
    replaced = run_cli(["allennlp", "train", CONFIG, "-s", run, "--force", "--include-package", "seal_adapters",
                        "-o", json.dumps({"trainer.num_epochs": 1})], env)
    assert replaced.returncode == 0, replaced.stderr[-3000:]
    assert json.load(open(os.path.join(run, "metrics.json")))["epoch"] == 0  # the new 1-epoch run
    assert not [n for n in os.listdir(tmp_path) if ".replaced-" in n]

"""Run-level refusals that need allennlp's whole `train` / `evaluate` / `predict` path (the
bad-input table builds `TrainModel` itself, so it cannot show them)."""
import json

import pytest
from allennlp.commands.train import train_model
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from seal_adapters.data.errors import decode_text
from tests.conftest import run_cli
from tests.test_models_common import config, embedder, one_thread, reader  # noqa: F401

pytestmark = pytest.mark.usefixtures("one_thread")


def classifier_config(tiny_roberta, sentiment_data, **trainer):
    params = config(reader("text", tiny_roberta), {"type": "seal_text_classifier",
                                                  "text_field_embedder": embedder(tiny_roberta)},
                    sentiment_data["train"], sentiment_data["validation"])
    params["trainer"].update(trainer)
    return params


def test_a_batch_size_of_zero_anywhere_in_a_loader_is_named(tiny_roberta, sentiment_data, tmp_path):
    params = classifier_config(tiny_roberta, sentiment_data)
    params["data_loader"] = {"batch_sampler": {"type": "bucket", "batch_size": 0}}
    with pytest.raises(ConfigurationError, match=r"data_loader.batch_sampler.batch_size is 0: give a whole "
                                                 r"number of instances per batch, at least 1"):
        train_model(Params(params), str(tmp_path / "run"))


@pytest.mark.parametrize("trainer, expected", [
    ({"num_epoch": 1}, "trainer: unknown option(s) ['num_epoch']; allennlp's gradient_descent trainer "
                       "would ignore them. Did you mean 'num_epochs' for 'num_epoch'?"),
    ({"grad_norm": -1}, "trainer.grad_norm is -1: give a positive number"),
    ({"grad_clipping": 0}, "trainer.grad_clipping is 0: give a positive number"),
    ({"num_gradient_accumulation_steps": 0}, "trainer.num_gradient_accumulation_steps is 0: give a whole number >= 1"),
    ({"checkpointer": {"keep_most_recent_by_count": 0}},
     "trainer.checkpointer.keep_most_recent_by_count is 0: allennlp needs the last checkpoint"),
    ({"learning_rate_scheduler": {"type": "noam", "warmup_steps": 0, "model_size": 32}},
     "trainer.learning_rate_scheduler.warmup_steps is 0: give a whole number >= 1 for 'noam'"),
    ({"learning_rate_scheduler": {"type": "slanted_triangular", "cut_frac": 5, "num_epochs": 1}},
     "trainer.learning_rate_scheduler.cut_frac is 5: it is the fraction of the steps"),
    ({"validation_metric": "+accuracy", "learning_rate_scheduler": {"type": "reduce_on_plateau", "mode": "min"}},
     "trainer.learning_rate_scheduler.mode is 'min', but the validation metric '+accuracy' should rise"),
    ({"learning_rate_scheduler": {"type": "reduce_on_plateau", "mode": "max"}},
     "mode is 'max', but the validation metric '-loss' should fall"),
    ({"learning_rate_scheduler": {"type": "reduce_on_plateau", "mode": "maximum"}},
     "trainer.learning_rate_scheduler.mode is 'maximum': give \"max\" when the validation metric"),
    ({"learning_rate_scheduler": {"type": "cosine", "t_initial": 0}},
     "trainer.learning_rate_scheduler.t_initial is 0: it is the number of epochs of the first cosine cycle"),
    ({"learning_rate_scheduler": {"type": "linear_with_warmup", "warmup_steps": -5}},
     "trainer.learning_rate_scheduler.warmup_steps is -5: give a whole number >= 0"),
    ({"optimizer": {"type": "adamw", "lr": 1e-3, "betas": [0.9]}},
     "trainer.optimizer: the 'adamw' optimizer cannot be built or stepped with {'lr': 0.001, "
     "'betas': [0.9]}: IndexError"),
    ({"optimizer": {"type": "adam", "lr": 1e-3, "parameter_groups": [[["heads"], {"lr": -1}]]}},
     "trainer.optimizer.parameter_groups[0]: the 'adam' optimizer cannot be built or stepped with "
     "{'lr': -1}: ValueError: Invalid learning rate: -1"),
])
def test_trainer_options_that_allennlp_would_ignore_or_misuse(tiny_roberta, sentiment_data, tmp_path,
                                                              trainer, expected):
    with pytest.raises(ConfigurationError) as error:
        train_model(Params(classifier_config(tiny_roberta, sentiment_data, **trainer)), str(tmp_path / "run"))
    assert expected in str(error.value)
    assert not (tmp_path / "run" / "metrics.json").exists()


def test_windows_1252_text_is_read_as_windows_1252():
    """Curly quotes and dashes saved by Windows are cp1252 bytes 0x93/0x94/0x96: latin-1 would
    make them control characters."""
    raw = '{"text": "\\u201cgood\\u201d \\u2013 fine", "label": "pos"}\n'.encode("cp1252")
    assert decode_text(raw, "f.jsonl") == '{"text": "\\u201cgood\\u201d \\u2013 fine", "label": "pos"}\n'


def test_cli_misuse_is_named(tiny_roberta, sentiment_data, tmp_path):
    """Invalid -o JSON, --cuda-device 0 without a GPU for evaluate, --batch-size 0 for predict."""
    params = classifier_config(tiny_roberta, sentiment_data)
    params["data_loader"]["batch_size"] = 32
    path = tmp_path / "config.json"
    path.write_text(json.dumps(params))
    bad = run_cli(["allennlp", "train", str(path), "-s", str(tmp_path / "bad"), "-o", "{trainer.num_epochs: 1",
                   "--include-package", "seal_adapters"])
    assert bad.returncode != 0
    assert "-o/--overrides '{trainer.num_epochs: 1' is not a JSON object" in bad.stderr, bad.stderr[-2000:]
    train_model(Params(params), str(tmp_path / "run"))
    archive = str(tmp_path / "run" / "model.tar.gz")
    import torch
    from allennlp.models.archival import load_archive
    if not torch.cuda.is_available():
        with pytest.raises(ConfigurationError, match="Experiment specified a GPU but none is available"):
            load_archive(archive, cuda_device=0)  # what allennlp evaluate / predict --cuda-device 0 do
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text('{"sentence": "a fine film"}\n')
    relabelled = tmp_path / "relabelled.jsonl"
    relabelled.write_text('{"text": "a fine film", "label": "positive"}\n')
    unknown = run_cli(["allennlp", "evaluate", archive, str(relabelled), "--include-package", "seal_adapters"])
    assert unknown.returncode != 0
    assert ("DataError: 1 label(s) of the evaluated data (" in unknown.stderr
            and "'positive' (str, namespace 'labels', 1x)" in unknown.stderr), unknown.stderr[-2000:]
    evaluated = run_cli(["allennlp", "evaluate", archive, sentiment_data["validation"], "--output-file",
                         str(tmp_path), "--include-package", "seal_adapters"])
    assert evaluated.returncode != 0
    assert f"--output-file {tmp_path} is a directory: give a file path" in evaluated.stderr
    (tmp_path / "out.jsonl").write_text("earlier predictions\n")
    predicted = run_cli(["allennlp", "predict", archive, str(inputs), "--batch-size", "0", "--silent",
                         "--output-file", str(tmp_path / "out.jsonl"), "--include-package", "seal_adapters"])
    assert predicted.returncode != 0
    assert "--batch-size 0: give a positive number of inputs per batch" in predicted.stderr
    assert (tmp_path / "out.jsonl").read_text() == "earlier predictions\n"  # allennlp would empty it


def test_a_multilabel_threshold_outside_0_1_is_refused(tiny_roberta, multilabel_data):
    from tests.test_models_common import build

    with pytest.raises(ConfigurationError, match="threshold 1.5 is a probability cut: give a number between 0 and 1"):
        build(reader("multilabel", tiny_roberta), {"type": "seal_multilabel_classifier", "threshold": 1.5,
                                                   "text_field_embedder": embedder(tiny_roberta)},
              multilabel_data["train"])


@pytest.mark.parametrize("flags, expected", [
    (["--epochs", "0"], "argument --epochs: 0 must be at least 1"),
    (["--batch-size", "0"], "argument --batch-size: 0 must be at least 1"),
    (["--train-size", "-5"], "argument --train-size: -5 must be at least 1"),
])
def test_demo_budget_flags_must_be_positive(flags, expected, capsys):
    from seal_adapters.cli import main

    with pytest.raises(SystemExit):
        main(["demo", *flags])
    assert expected in capsys.readouterr().err


def test_validation_data_that_is_the_training_data_is_warned_about(tiny_roberta, sentiment_data, tmp_path,
                                                                   monkeypatch):
    """The same file, or a copy of every training text, under validation_data_path: a warning
    naming the split, before training; a held-out file gives none."""
    import shutil

    from allennlp.data import Instance
    from allennlp.data.fields import LabelField, TextField
    from allennlp.data.tokenizers import Token

    from seal_adapters.data import split_overlap

    warnings = []
    monkeypatch.setattr(split_overlap.logger, "warning", lambda text, *args: warnings.append(text % args))
    params = classifier_config(tiny_roberta, sentiment_data, num_epochs=1)
    train_path = params["validation_data_path"] = params["train_data_path"]
    train_model(Params(params), str(tmp_path / "run"))
    assert warnings == [f"The validation data is the training file itself ({train_path}): its metrics measure "
                        "how well the model memorised its training data. Give a held-out file as "
                        "validation_data_path."]

    def instances(*texts):
        return [Instance({"tokens": TextField([Token(w) for w in t.split()]), "label": LabelField("pos")})
                for t in texts]

    copy = tmp_path / "copy.jsonl"
    shutil.copy(train_path, copy)
    warnings.clear()
    check = split_overlap.warn_if_split_is_training_data
    assert check(instances("a b", "c d", "e"), instances("c d", "a b"), "test", copy, train_path)
    assert not check(instances("a b", "c d"), instances("a b", "x y"), "test", copy, train_path)
    assert len(warnings) == 1
    assert warnings[0].startswith(f"Every one of the 2 test instances ({copy}) also occurs in the training "
                                  f"data ({train_path})")


def test_working_optimizer_blocks_pass_the_optimizer_check():
    """Per-side groups, allennlp's multi optimizer (checked through its optimizers), others."""
    from seal_adapters.training.optimizer_check import check_optimizer_options

    for options in ({"type": "adamw", "lr": 1e-3, "parameter_groups": [[[".*tasknn.*"], {"lr": 1e-3}],
                                                                        [[".*scorenn.*"], {"lr": 4e-5}]]},
                    {"type": "multi", "optimizers": {"default": {"type": "adam", "lr": 1e-3},
                                                     "fast": {"type": "sgd", "lr": 0.1}},
                     "parameter_groups": [[[".*tasknn.*"], {"optimizer_name": "fast"}]]},
                    {"type": "huggingface_adamw", "lr": 1e-3}, {"type": "sgd", "lr": 0.1, "momentum": 0.9}):
        check_optimizer_options(options)
    with pytest.raises(ConfigurationError, match=r"trainer.optimizer.optimizers.default: the 'adam' optimizer "
                                                 r"cannot be built or stepped with \{'lr': 0.001, 'betas': \[0.9\]\}"):
        check_optimizer_options({"type": "multi", "optimizers": {"default": {"type": "adam", "lr": 1e-3,
                                                                             "betas": [0.9]}},
                                 "parameter_groups": []})


def test_a_reader_on_a_copy_of_the_embedders_model_directory_trains(tiny_roberta, sentiment_data, tmp_path):
    """Same vocabulary under another path (a copy, a symlink): the token ids fit, so no refusal."""
    import os
    import shutil

    copy = shutil.copytree(tiny_roberta, tmp_path / "copy")
    os.symlink(tiny_roberta, tmp_path / "link")
    for other in (str(copy), str(tmp_path / "link")):
        params = classifier_config(tiny_roberta, sentiment_data, num_epochs=1)
        params["dataset_reader"]["tokenizer"]["model_name"] = other
        params["dataset_reader"]["token_indexers"]["tokens"]["model_name"] = other
        train_model(Params(params), str(tmp_path / f"run-{os.path.basename(other)}"))
        assert (tmp_path / f"run-{os.path.basename(other)}" / "model.tar.gz").exists()


def test_one_training_text_with_two_labels_is_warned_about_with_its_places(tiny_roberta, monkeypatch, tmp_path):
    """The same sentence labelled neg and pos (plugin reader: file and line) is named in one
    warning; distinct texts, or one text repeated with one label, give none."""
    from seal_adapters.data import conflicting_labels
    from seal_adapters.tasks.text_classification.jsonl_reader import TextJsonlReader

    warnings = []
    monkeypatch.setattr(conflicting_labels.logger, "warning", lambda text, *args: warnings.append(text % args))
    data = tmp_path / "train.jsonl"
    data.write_text('{"text": "simplistic , silly and tedious .", "label": "neg"}\n'
                    '{"text": "a fine film", "label": "pos"}\n'
                    '{"text": "a fine film", "label": "pos"}\n'
                    '{"text": "simplistic , silly and tedious .", "label": "pos"}\n')
    instances = list(TextJsonlReader(model_name=tiny_roberta).read(str(data)))
    assert conflicting_labels.warn_conflicting_labels(instances, data) == 1
    assert warnings[0].startswith(f"The training data ({data}) gives 1 text(s) different labels")
    assert (f"  one text: 'neg' ({data}, line 1), 'pos' ({data}, line 4)"
            in warnings[0]), warnings[0]
    assert conflicting_labels.warn_conflicting_labels(instances[1:3], data) == 0
    assert len(warnings) == 1


def test_a_check_a_task_contributes_runs_before_training_with_every_split(tiny_roberta, sentiment_data, tmp_path,
                                                                        monkeypatch):
    """Pre-training data checks come from task folders (`@data_check`), not from lines in
    run_guards: the tagging task's tag-scheme check is registered, and a newly registered
    check is called once with the model and the data of both splits, before any step."""
    from seal_adapters.data.errors import DataError
    from seal_adapters.tasks.tagging.data_checks import check_tags
    from seal_adapters.training import data_checks

    assert check_tags in data_checks.registered_checks()
    seen = []

    def refuse_after_looking(model, data):
        seen.append((type(model).__name__, [str(path) for path, _ in data.sources],
                     sorted(label for label in data.places if isinstance(label, str))))
        raise DataError("my task's check: this data is not for this model")

    monkeypatch.setattr(data_checks, "_CHECKS", data_checks.registered_checks())
    data_checks.data_check(refuse_after_looking)
    with pytest.raises(DataError, match="my task's check: this data is not for this model"):
        train_model(Params(classifier_config(tiny_roberta, sentiment_data)), str(tmp_path / "run"))
    assert seen == [("SealTextClassifier", [str(sentiment_data["train"]), str(sentiment_data["validation"])],
                     ["neg", "pos"])]
    assert not (tmp_path / "run" / "best.th").exists()

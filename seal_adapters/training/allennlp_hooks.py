"""Installs the run-level protections into allennlp's commands, once per process.

* `run_guards`: the pre-training checks and the NaN/inf guard, on `TrainModel.run`, and
  `allennlp evaluate` refusing an empty file;
* `run_directory`: one writer per serialization directory, `--recover` on a finished run;
* `atomic_files`: `model.tar.gz` is complete under its name or absent (disk full, a kill);
* `archive_files`: a damaged `model.tar.gz` is named as damaged wherever it is loaded;
* `checkpointer`: a damaged checkpoint under allennlp's `default` checkpointer is named as
  damaged on `--recover` (the `atomic` one skips it by itself);
* `allennlp_reader_checks`: allennlp's own readers' files are checked (file, line, fix)
  before they are read, for every command that reads data;
* here: a config that reads an unset environment variable says which and how to set it
  (jsonnet says only "undefined external variable"), and in the `allennlp` command a data
  error (`DataError`, which names file, line and fix) is shown as its message, without a
  traceback (`SEAL_ADAPTERS_TRACEBACK=1` shows it).
"""
import functools
import os
import re
import sys

import allennlp.commands.train as train_command
import allennlp.common.params as params_module
import allennlp.models as allennlp_models
import allennlp.models.archival as archival
import allennlp.training.util as training_util
from allennlp.data import DatasetReader
from allennlp.data.data_loaders import MultiProcessDataLoader
from allennlp.evaluation import SimpleEvaluator
from allennlp.models import Model
from allennlp.training.checkpointer import Checkpointer

from seal_adapters.data.allennlp_reader_checks import checked_read
from seal_adapters.training.archive_files import checked_extracted_archive, gpu_checked_model_load
from seal_adapters.training.atomic_files import write_atomically
from seal_adapters.training.checkpointer import checked_default_load
from seal_adapters.training.run_directory import guarded_train_model, locking_create_serialization_dir
from seal_adapters.training.run_guards import (
    checked_evaluator_call,
    checked_index_with,
    checked_options_train_model,
    guarded_run,
)

MARK = "_seal_adapters_hook"


def atomic_archive_model(original):
    def archive_model(serialization_dir, weights=archival._DEFAULT_WEIGHTS, archive_path=None,
                      include_in_archive=None) -> str:
        final = archive_path if archive_path is not None else os.path.join(serialization_dir, "model.tar.gz")
        if os.path.isdir(final):
            final = os.path.join(final, "model.tar.gz")
        write_atomically(str(final), lambda temporary: original(serialization_dir, weights, temporary,
                                                                include_in_archive))
        return str(final)

    return archive_model


def checked_parse_overrides(original):
    """`-o/--overrides` that is not a JSON (or jsonnet) object names the flag."""
    def parse_overrides(serialized_overrides, ext_vars=None):
        from allennlp.common.checks import ConfigurationError

        try:
            return original(serialized_overrides, ext_vars)
        except (RuntimeError, ValueError) as error:
            raise ConfigurationError(
                f"-o/--overrides {serialized_overrides!r} is not a JSON object: {error}. Write "
                "it like '{\"trainer.num_epochs\": 1}' (keys in double quotes)."
            ) from None

    return parse_overrides


# How to set each environment variable the shipped configs read.
VARIABLE_HINTS = {
    "SEAL_TEST": "Set SEAL_TEST to a test file to evaluate on it after training, or to '' "
                 "(SEAL_TEST='') to skip the test set.",
    "SEAL_TRANSFORMER": "Set it to a Hugging Face model directory; `python -m seal_adapters "
                        "model-path` prints the bundled MiniLM's.",
    "SEAL_HIDDEN_SIZE": "Set it to the transformer's hidden size (hidden_size in its config.json, "
                        "384 for MiniLM).",
    "SEAL_TRAIN": "Set it to the training data file.",
    "SEAL_VALIDATION": "Set it to the validation data file.",
}


def checked_evaluate_file(original):
    """jsonnet's "undefined external variable: X" names the variable to set and how."""
    def evaluate_file(filename, *args, **kwargs):
        try:
            return original(filename, *args, **kwargs)
        except RuntimeError as error:
            found = re.search(r"undefined external variable: (\w+)", str(error))
            if not found:
                raise
            name = found.group(1)
            hint = VARIABLE_HINTS.get(name, f"Set it in the environment: {name}=... allennlp train ...")
            raise RuntimeError(
                f"{error}\n{filename} reads the environment variable {name} (std.extVar), which is "
                f"not set. {hint}") from None

    return evaluate_file


def _show_data_errors_without_traceback() -> None:
    """In the `allennlp` command, an uncaught DataError prints its message (file, line, fix)."""
    command = os.path.basename(sys.argv[0]) if sys.argv else ""
    if command != "allennlp" or os.environ.get("SEAL_ADAPTERS_TRACEBACK") or \
            getattr(sys.excepthook, MARK, False):
        return
    from seal_adapters.data.errors import DataError

    previous = sys.excepthook

    def excepthook(kind, error, traceback):
        if isinstance(error, DataError):
            print(f"DataError: {error}\n(SEAL_ADAPTERS_TRACEBACK=1 shows the traceback)",
                  file=sys.stderr)
            return
        previous(kind, error, traceback)

    setattr(excepthook, MARK, True)
    sys.excepthook = excepthook


def _wrap(owner, name: str, wrapper) -> None:
    """Replaces `owner.name` by `wrapper(owner.name)`, once per wrapper (several may stack)."""
    current = getattr(owner, name)
    applied = set(getattr(current, MARK, ()))
    if wrapper.__name__ not in applied:
        wrapped = functools.update_wrapper(wrapper(current), current)  # name, doc, __wrapped__
        setattr(wrapped, MARK, applied | {wrapper.__name__})
        setattr(owner, name, wrapped)


def install() -> None:
    _wrap(train_command.TrainModel, "run", guarded_run)
    _wrap(train_command, "train_model", guarded_train_model)
    _wrap(train_command, "train_model", checked_options_train_model)
    _wrap(training_util, "create_serialization_dir", locking_create_serialization_dir)
    _wrap(archival, "archive_model", atomic_archive_model)
    _wrap(archival, "extracted_archive", checked_extracted_archive)
    if not getattr(Model.__dict__["load"], MARK, False):
        wrapped = gpu_checked_model_load(Model.__dict__["load"])
        setattr(wrapped, MARK, True)
        Model.load = wrapped
    _wrap(params_module, "parse_overrides", checked_parse_overrides)
    _wrap(params_module, "evaluate_file", checked_evaluate_file)
    _show_data_errors_without_traceback()
    _wrap(DatasetReader, "read", checked_read)
    _wrap(SimpleEvaluator, "__call__", checked_evaluator_call)
    _wrap(MultiProcessDataLoader, "index_with", checked_index_with)
    _wrap(Checkpointer, "load_checkpoint", checked_default_load)
    train_command.archive_model = archival.archive_model
    allennlp_models.archive_model = archival.archive_model

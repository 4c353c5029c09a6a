"""Every wrapper this plugin puts on allennlp's callables, installed in one place, once per
process, when the plugin is imported. (The fixes that must run before any plugin can load,
while `allennlp.commands` is imported, are the start-up hook's: `seal_adapters/compat/`.)

* `TrainModel.run`, by `guarded_run` (run_guards): pre-training checks (data, labels, options,
  one forward) and the NaN/inf guard: a bad run stops before epoch 0, not after hours.
* `commands.train.train_model`, by `guarded_train_model` (run_directory): one writer per run
  directory (lock), `--recover` leaves a finished run alone, `--force` gets the old run back
  if the new one is refused.
* `commands.train.train_model`, by `checked_options_train_model` (run_guards): trainer options
  checked before anything is built.
* `training.util.create_serialization_dir`, by `locking_create_serialization_dir`
  (run_directory): refuses a live run's directory; `--force` never deletes input data or a
  non-run folder.
* `archival.archive_model`, by `atomic_archive_model` (here): `model.tar.gz` is whole under
  its name or absent (disk full, a kill).
* `archival.extracted_archive`, by `checked_extracted_archive` (archive_files): a damaged
  archive is named as damaged.
* `Model.load`, by `gpu_checked_model_load` (archive_files): a GPU archive on a CPU machine
  says what to do.
* `params.parse_overrides`, by `checked_parse_overrides` (here): `-o` that is not a JSON
  object names the flag.
* `params.evaluate_file`, by `checked_evaluate_file` (here): an unset environment variable is
  named with how to set it.
* `DatasetReader.read`, by `checked_read` (data/allennlp_reader_checks): allennlp's own
  readers' files checked (file, line, fix).
* `SimpleEvaluator.__call__`, by `checked_evaluator_call` (run_guards): `allennlp evaluate`
  refuses an empty or unlabelled file.
* `MultiProcessDataLoader.index_with`, by `checked_index_with` (run_guards): labels unseen in
  the vocabulary named with their file and line.
* `Checkpointer.load_checkpoint`, by `checked_default_load` (checkpointer): a damaged
  checkpoint named on `--recover`.
* `Predictor.from_archive`, by `predictor_match.install` (predictors): a `--predictor` that
  does not fit the model is refused before any input is read.
* `_PredictManager` (`_get_json_data`, `__init__`, `run`), by `input_lines.install`
  (predictors): predict input lines checked whole before any output; output written
  atomically.
* `sys.excepthook` (the `allennlp` command only), by `_show_data_errors_without_traceback`
  (here): a `DataError` shows its message (file, line, fix), not a traceback.
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
    from seal_adapters.predictors import input_lines, predictor_match

    predictor_match.install()
    input_lines.install()

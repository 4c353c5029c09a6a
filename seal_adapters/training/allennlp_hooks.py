"""Installs the run-level protections into allennlp's commands, once per process.

* `run_guards`: the pre-training checks and the NaN/inf guard, on `TrainModel.run`, and
  `allennlp evaluate` refusing an empty file;
* `run_directory`: one writer per serialization directory, `--recover` on a finished run;
* `atomic_files`: `model.tar.gz` is complete under its name or absent (disk full, a kill);
* `archive_files`: a damaged `model.tar.gz` is named as damaged wherever it is loaded;
* `checkpointer`: a damaged checkpoint under allennlp's `default` checkpointer is named as
  damaged on `--recover` (the `atomic` one skips it by itself);
* `allennlp_reader_checks`: allennlp's own readers' files are checked (file, line, fix)
  before they are read, for every command that reads data.
"""
import functools
import os

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
    _wrap(DatasetReader, "read", checked_read)
    _wrap(SimpleEvaluator, "__call__", checked_evaluator_call)
    _wrap(MultiProcessDataLoader, "index_with", checked_index_with)
    _wrap(Checkpointer, "load_checkpoint", checked_default_load)
    train_command.archive_model = archival.archive_model
    allennlp_models.archive_model = archival.archive_model

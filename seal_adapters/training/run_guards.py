"""Checks every `allennlp train` run gets, whatever its config, before the first step.

Why here and not in a callback: the baseline configs have no `adapter_schedule`
callback, and a guard that only some configs get is a trap. `install()` (called when
seal_adapters is imported: `--include-package seal_adapters` or `.allennlp_plugins`) wraps
allennlp's `TrainModel.run`, so the checks run once the trainer is built and before it trains:

* `trainer.num_epochs` is a positive number;
* the training data gave instances (an empty or all-skipped file must not "train" 0 steps);
* every label of the validation and test data occurs in the training data, and the training
  labels do not mix numbers and words (label_coverage.py);
* validation or test data that is the training data gets a loud warning (split_overlap.py);
* the checks task folders contribute (data_checks.py), e.g. every tag fits the model's
  span-F1 `label_encoding` (tasks/tagging/data_checks.py);
* the reader indexes tokens for the embedder's model (reader_check.py);
* one forward pass on one validation batch: layer sizes and `validation_metric` (first_forward.py);
* a NaN/inf training loss stops the run before its step changes weights (finite_loss.py);
* adapters the loss never uses are frozen with a warning after the first step, in runs
  without the `adapter_schedule` callback (unused_adapters.py).
"""
import difflib
import logging
import os
from typing import Optional

from allennlp.common.checks import ConfigurationError

from seal_adapters.data.conflicting_labels import warn_conflicting_labels
from seal_adapters.data.errors import DataError
from seal_adapters.data.label_coverage import (
    check_label_kinds,
    check_labels_seen_in_training,
    labels_by_namespace,
)
from seal_adapters.data.split_overlap import warn_if_split_is_training_data
from seal_adapters.training.adapter_schedule import AdapterScheduleCallback
from seal_adapters.training.data_checks import CheckedData, run_data_checks
from seal_adapters.training.finite_loss import guard_finite_loss
from seal_adapters.training.first_forward import check_validation_metric, first_batch, run_first_forward
from seal_adapters.training.optimizer_check import check_optimizer_options
from seal_adapters.training.reader_check import check_reader_matches_embedder
from seal_adapters.training.run_directory import discard_replaced
from seal_adapters.training.unused_adapters import UnusedAdapterGuard

logger = logging.getLogger(__name__)


def _path(loader) -> object:
    return getattr(loader, "data_path", None) or "the data loader's data"


def check_epochs(trainer) -> None:
    epochs = getattr(trainer, "_num_epochs", 1)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ConfigurationError(
            f"trainer.num_epochs is {epochs!r}: give a positive whole number of epochs (e.g. 3)."
        )


def check_has_instances(loader, what: str, consequence: str) -> list:
    """The loader's instances; a `DataError` when there are none."""
    instances = list(loader.iter_instances())
    if not instances:
        raise DataError(
            f"{_path(loader)}: the {what} data gave 0 instances, so {consequence}. "
            "Fix: check that the file is not empty and that the reader does not skip every line "
            "(its max_instances, length limits or split)."
        )
    return instances


def check_has_labels(instances: list, path: object, alternative: str) -> None:
    """A `DataError` when no instance carries a label field (a file without its label key)."""
    if not any(hasattr(field, "_label_namespace") for instance in instances
               for field in instance.fields.values()):
        raise DataError(
            f"{path}: none of its {len(instances)} instance(s) has a label, so there is nothing to "
            "score the predictions against (the metrics would read 0.0). Fix: give the file its "
            f"labels under the key the reader reads (e.g. \"label\"), or {alternative}.")


def check_more_than_one_class(instances: list, path: object) -> None:
    """A classifier's training data with a single class (a filtered or mis-split file) trains
    to loss 0 and predicts that class for everything; refused before training."""
    from allennlp.data.fields import LabelField

    classes: dict = {}
    for instance in instances:
        for name, field in instance.fields.items():
            if isinstance(field, LabelField) and not getattr(field, "_skip_indexing", False):
                classes.setdefault(name, set()).add(field.label)
    for name, labels in classes.items():
        if len(labels) == 1:
            raise DataError(
                f"{path}: every one of the {len(instances)} training instance(s) has the {name} "
                f"{next(iter(labels))!r}, so the classifier would learn to predict it for everything. "
                "Fix: train on data with at least two classes (check the file, a filter or the split).")


def check_sorting_keys(loader, instances: list, where: str) -> None:
    """A bucket sampler's `sorting_keys` must name fields of the instances (allennlp says so
    only when the first batch is drawn, after the epoch has started)."""
    sampler = getattr(loader, "batch_sampler", None)
    sampler = getattr(sampler, "batch_sampler", sampler)  # inside repeat_each_batch
    keys = getattr(sampler, "sorting_keys", None)
    if not keys or not instances:
        return
    fields = sorted(instances[0].fields)
    missing = [key for key in keys if key not in fields]
    if missing:
        texts = [name for name in fields if hasattr(instances[0].fields[name], "tokens")] or fields
        raise ConfigurationError(
            f"{where}.batch_sampler.sorting_keys {missing} name no field of the instances, which "
            f"have {fields}. Fix: sort by a text field (e.g. [\"{texts[0]}\"]) or leave "
            "sorting_keys out (the bucket sampler then picks the longest field).")


def checked_evaluator_call(original):
    """Wraps allennlp's `SimpleEvaluator.__call__` (`allennlp evaluate`): an empty file is
    refused instead of reported as accuracy 0.0, and a label the model's vocabulary lacks is
    named with its file and line (allennlp stops with a bare KeyError, or maps it to OOV)."""
    def call(self, model, data_loader, *args, **kwargs):
        outputs = list(args[1:3]) + [kwargs.get("metrics_output_file"), kwargs.get("predictions_output_file")]
        for output in outputs:
            if output is not None and os.path.isdir(str(output)):
                raise ConfigurationError(f"--output-file {output} is a directory: give a file path "
                                         "for the metrics (it is written after evaluating).")
        instances = check_has_instances(data_loader, "evaluation", "there is nothing to evaluate (its "
                                        "metrics would read 0.0)")
        check_has_labels(instances, _path(data_loader), "use allennlp predict for predictions without labels")
        vocabulary = getattr(model, "vocab", None)
        if vocabulary is not None:
            check_labels_seen_in_training(_labels_known_to(vocabulary, instances), instances, "evaluation",
                                          _path(data_loader), "the model's vocabulary")
        return original(self, model, data_loader, *args, **kwargs)
    return call


def _labels_known_to(vocabulary, instances) -> dict:
    return {namespace: set(vocabulary.get_token_to_index_vocabulary(namespace))
            for namespace in labels_by_namespace(instances) if vocabulary.get_vocab_size(namespace)}


def checked_index_with(original):
    """Wraps allennlp's `MultiProcessDataLoader.index_with`: data read for a trained model
    (`allennlp evaluate`, a test set) with a label its vocabulary lacks fails in allennlp
    with a bare KeyError; here as a DataError naming the label, its file and line."""
    def index_with(self, vocab):
        try:
            return original(self, vocab)
        except KeyError:
            instances = list(self.iter_instances())
            check_labels_seen_in_training(_labels_known_to(vocab, instances), instances, "evaluated",
                                          _path(self), "the model's vocabulary")
            raise
    return index_with


def check_training_data_and_labels(trainer, test_loader) -> None:
    loader = trainer.data_loader
    instances = check_has_instances(loader, "training", "there is nothing to train on")
    check_sorting_keys(loader, instances, "data_loader")
    found = labels_by_namespace(instances)
    check_label_kinds(found, _path(loader))
    check_more_than_one_class(instances, _path(loader))
    warn_conflicting_labels(instances, _path(loader))
    training = {ns: set(labels) for ns, labels in found.items()}
    places = {label: [p or str(_path(loader)) for p in ps]
              for labels in found.values() for label, ps in labels.items()}
    sources = [(_path(loader), instances)]
    for split, other in (("validation", getattr(trainer, "_validation_data_loader", None)),
                         ("test", test_loader)):
        if other is not None:
            evaluated = check_has_instances(other, split, f"every {split} metric would read 0.0")
            check_has_labels(evaluated, _path(other), f"leave {split}_data_path out")
            sources.append((_path(other), evaluated))
            check_labels_seen_in_training(training, evaluated, split, _path(other), _path(loader))
            warn_if_split_is_training_data(instances, evaluated, split, _path(other), _path(loader))
            for labels in labels_by_namespace(evaluated).values():
                for label, ps in labels.items():
                    places.setdefault(label, []).extend(p or str(_path(other)) for p in ps)
    run_data_checks(trainer.model, CheckedData(places, sources))


def check_first_forward(trainer) -> None:
    validation = getattr(trainer, "_validation_data_loader", None)
    batch = first_batch([validation, trainer.data_loader])
    if batch is None:
        return
    produced = run_first_forward(trainer.model, batch, getattr(trainer, "cuda_device", -1))
    tracker = getattr(trainer, "_metric_tracker", None)
    if validation is not None and tracker is not None:
        check_validation_metric([name for _, name in tracker.tracked_metrics], produced)


def checked_options_train_model(original):
    """Wraps allennlp's `train_model`: the trainer options are checked before anything is
    built (a bad one may fail inside the trainer's constructor)."""
    def train_model(params, *args, **kwargs):
        trainer = params.get("trainer", None) if hasattr(params, "get") else None
        if trainer is not None:
            check_trainer_options(trainer.as_dict(quiet=True) if hasattr(trainer, "as_dict") else dict(trainer))
        for key in ("data_loader", "validation_data_loader"):
            loader = params.get(key, None) if hasattr(params, "get") else None
            if loader is not None:
                check_batch_sizes(key, loader.as_dict(quiet=True) if hasattr(loader, "as_dict") else dict(loader))
        return original(params, *args, **kwargs)
    return train_model


def check_batch_sizes(where: str, options: dict) -> None:
    """`batch_size` of a data loader and of its (nested) batch samplers is a whole number >= 1
    (0 ends in a ZeroDivisionError inside allennlp's samplers)."""
    while isinstance(options, dict):
        size = options.get("batch_size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise ConfigurationError(f"{where}.batch_size is {size!r}: give a whole number of instances "
                                     "per batch, at least 1 (e.g. 16).")
        sampler = options.get("batch_sampler")
        if size is not None and isinstance(sampler, dict) and where.endswith("data_loader"):
            # allennlp: "batch_sampler option is mutually exclusive with batch_size"
            raise ConfigurationError(
                f"{where} has both batch_size ({size}) and a batch_sampler "
                f"('{sampler.get('type', '?')}'), which makes the batches: set the sampler's size "
                f"instead, e.g. -o '{{\"{where}.batch_sampler.batch_size\": {size}}}'.")
        options, where = sampler, f"{where}.batch_sampler"


def check_trainer_options(options: dict) -> None:
    """Unknown `trainer` keys (allennlp's `gradient_descent` takes `**kwargs` and drops them),
    optimizer options torch would refuse (optimizer_check.py), and values that fail late or
    silently: `grad_norm` / `grad_clipping` <= 0 (which flip or zero every gradient), no
    gradient accumulation group, no checkpoint kept, bad warmup."""
    import inspect

    from allennlp.training import GradientDescentTrainer, Trainer

    if options.get("type", "gradient_descent") == "gradient_descent":
        known = {"type"}
        for method in (GradientDescentTrainer.from_partial_objects, GradientDescentTrainer.__init__,
                       Trainer.__init__):
            known |= set(inspect.signature(method).parameters) - {"self", "cls", "kwargs"}
        unknown = sorted(set(options) - known)
        if unknown:
            hint = "".join(f" Did you mean '{m[0]}' for '{k}'?" for k in unknown
                           for m in [difflib.get_close_matches(k, known, n=1)] if m)
            raise ConfigurationError(
                f"trainer: unknown option(s) {unknown}; allennlp's gradient_descent trainer would "
                f"ignore them.{hint}"
            )
    for key in ("grad_norm", "grad_clipping"):
        value = options.get(key)
        if _number(value) and value <= 0:
            raise ConfigurationError(
                f"trainer.{key} is {value}: give a positive number (e.g. 1.0), or leave it out "
                "for no limit."
            )
    steps = options.get("num_gradient_accumulation_steps")
    if steps is not None and not (isinstance(steps, int) and not isinstance(steps, bool) and steps >= 1):
        raise ConfigurationError(f"trainer.num_gradient_accumulation_steps is {steps!r}: give a whole "
                                 "number >= 1 (1 = no accumulation).")
    keep = (options.get("checkpointer") or {}).get("keep_most_recent_by_count")
    if _number(keep) and keep < 1:
        raise ConfigurationError(
            f"trainer.checkpointer.keep_most_recent_by_count is {keep}: allennlp needs the last "
            "checkpoint at the end of training to write model.tar.gz; keep at least 1 (or null "
            "to keep all)."
        )
    optimizer = options.get("optimizer")
    if isinstance(optimizer, dict):
        check_optimizer_options(optimizer)
    scheduler = options.get("learning_rate_scheduler") or {}
    cut = scheduler.get("cut_frac")
    if scheduler.get("type") == "slanted_triangular" and _number(cut) and not 0 < cut < 1:
        raise ConfigurationError(
            f"trainer.learning_rate_scheduler.cut_frac is {cut}: it is the fraction of the steps "
            "spent warming up, between 0 and 1 (e.g. 0.1)."
        )
    if scheduler.get("type") == "reduce_on_plateau":
        mode = scheduler.get("mode", "min")
        if mode not in ("min", "max"):
            raise ConfigurationError(
                f"trainer.learning_rate_scheduler.mode is {mode!r}: give \"max\" when the validation "
                "metric should rise (accuracy, F1) or \"min\" when it should fall (a loss).")
        metric = options.get("validation_metric", "-loss")
        metric = metric[0] if isinstance(metric, list) and metric else metric
        wanted = "max" if isinstance(metric, str) and metric.startswith("+") else "min"
        if mode != wanted:
            raise ConfigurationError(
                f"trainer.learning_rate_scheduler.mode is {mode!r}, but the validation metric "
                f"{metric!r} should {'rise' if wanted == 'max' else 'fall'}: the scheduler would cut "
                f"the learning rate while the model improves. Fix: set mode to \"{wanted}\".")
    period = scheduler.get("t_initial")
    if scheduler.get("type") == "cosine" and period is not None and (not _number(period) or period < 1):
        raise ConfigurationError(
            f"trainer.learning_rate_scheduler.t_initial is {period!r}: it is the number of epochs "
            "of the first cosine cycle, a whole number >= 1 (e.g. the run's num_epochs).")
    warmup = scheduler.get("warmup_steps")
    least = 1 if scheduler.get("type") == "noam" else 0
    if _number(warmup) and warmup < least:
        raise ConfigurationError(
            f"trainer.learning_rate_scheduler.warmup_steps is {warmup}: give a whole number >= "
            f"{least} for '{scheduler.get('type')}'."
        )


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_parameter_groups(trainer) -> None:
    """A `trainer.optimizer.parameter_groups` entry whose regexes match no trainable parameter
    (a typo such as `.*taskNN.*`) leaves its options unused: allennlp logs one warning among
    hundreds of lines and trains that side at the default learning rate."""
    optimizer = getattr(trainer, "optimizer", None)
    if optimizer is None or type(optimizer).__name__ == "MultiOptimizer":
        return
    groups = getattr(optimizer, "param_groups", [])
    if len(groups) < 2:
        return  # no parameter_groups: one group of every parameter
    for number, group in enumerate(groups[:-1]):  # the last one is allennlp's default group
        if not group["params"]:
            options = {k: v for k, v in group.items()
                       if k != "params" and (k not in optimizer.defaults or v != optimizer.defaults[k])}
            raise ConfigurationError(
                f"trainer.optimizer.parameter_groups entry {number} (options {options}) matches no "
                "trainable parameter, so its options would not be used. Fix its regexes: they are "
                "searched in parameter names such as "
                f"{[n for n, p in trainer.model.named_parameters() if p.requires_grad][:3]} "
                "(each adapter's side is in its parameter names, e.g. '.*tasknn.*', '.*scorenn.*').")


def warmup_steps(scheduler) -> Optional[int]:
    """The warm-up length of an allennlp learning-rate scheduler: its own `warmup_steps`
    (polynomial_decay, noam) or the `num_warmup_steps` of the transformers schedule it wraps
    (linear_with_warmup, constant/cosine_with_warmup); None for schedulers without one."""
    steps = getattr(scheduler, "warmup_steps", None)
    if steps is None:
        for function in getattr(getattr(scheduler, "lr_scheduler", None), "lr_lambdas", []):
            steps = getattr(function, "keywords", {}).get("num_warmup_steps", steps)
    return steps if _number(steps) else None


def check_warmup(trainer) -> None:
    """A warm-up as long as the whole run never reaches the configured learning rate (a
    schedule copied from a larger data set)."""
    warmup = warmup_steps(getattr(trainer, "_learning_rate_scheduler", None))
    try:
        batches = len(trainer.data_loader)
    except TypeError:  # a loader without a length (lazy): nothing to compare with
        return
    accumulation = max(1, getattr(trainer, "_num_gradient_accumulation_steps", 1) or 1)
    total = getattr(trainer, "_num_epochs", 1) * -(-batches // accumulation)
    if warmup is not None and warmup >= total:
        raise ConfigurationError(
            f"trainer.learning_rate_scheduler warms up for {warmup} steps, but the run takes only "
            f"{total} optimizer steps ({batches} batches x {trainer._num_epochs} epoch(s)"
            f"{f' / {accumulation} accumulated' if accumulation > 1 else ''}), so the learning rate would "
            f"never reach its configured value. Fix: lower the warm-up (e.g. {max(1, total // 10)}, "
            "a tenth of the run) or train for more epochs.")


def check_before_training(train_model) -> None:
    trainer = train_model.trainer
    check_epochs(trainer)
    check_warmup(trainer)
    check_parameter_groups(trainer)
    check_training_data_and_labels(trainer, getattr(train_model, "evaluation_data_loader", None))
    check_reader_matches_embedder(trainer)
    check_first_forward(trainer)


def add_unused_adapter_guard(trainer) -> None:
    callbacks = getattr(trainer, "_callbacks", None)
    if callbacks is not None and not any(isinstance(c, AdapterScheduleCallback) for c in callbacks):
        callbacks.append(UnusedAdapterGuard(getattr(trainer, "_serialization_dir", None)))


def guarded_run(original):
    def run(self):
        check_before_training(self)
        discard_replaced(self.serialization_dir)  # --force: the replaced run goes only now
        add_unused_adapter_guard(self.trainer)
        handle = guard_finite_loss(self.trainer)
        try:
            return original(self)
        finally:
            handle.remove()

    return run

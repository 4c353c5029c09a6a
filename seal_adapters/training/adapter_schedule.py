"""`adapter_schedule` (formerly `alternating_adapters`, still registered under that name):
which adapters (and their sides of the model) train in each optimizer step, alternating
one at a time or jointly.

SEAL alternates between the ScoreNN and the TaskNN. Here both are adapters on one frozen
transformer, so alternation means: for `steps` optimizer steps only the named adapter's
parameters (and the model parameters named after it, e.g. `tasknn.classifier`) are
unfrozen, then the next entry of the schedule, cycling. Parameters of no side always train.

allennlp builds its optimizer once, from every parameter with `requires_grad`, and AdamW
moves a parameter whose gradient is zero (momentum, weight decay); allennlp's `multi`
optimizer even zeroes gradients instead of clearing them. So besides `requires_grad`, this
callback performs the backward pass itself and then drops the frozen side's gradients, so
the optimizer skips those parameters entirely: a frozen parameter does not change, bit for bit.

`mode: "joint"` trains every adapter of the schedule (and its heads) in every optimizer step
instead, from one forward of both channels and one backward: the SEAL models' loss already
gives each side gradients from its own term only (seal_model.py), so one step does what an
alternating cycle does at about half the cost. The schedule's step counts are not used then,
and each batch is used once (no `repeat_each_batch`).

Gradient accumulation (`num_gradient_accumulation_steps` k): the callback's backward divides
the loss by the group's size as allennlp's own does, the schedule counts optimizer steps (a
turn is k batches), and `repeat_each_batch` repeats whole groups of k batches, so accumulation
k at batch b trains both sides as batch k*b does (tests/test_gradient_accumulation.py).
"""
import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.training.callbacks import TrainerCallback

from seal_adapters.data.repeat_each_batch import RepeatEachBatchSampler
from seal_adapters.embedders.channels import adapter_backbones
from seal_adapters.embedders.compilation import skip_confidence_checks
from seal_adapters.embedders.sides import parameters_by_side
from seal_adapters.embedders.step_plan import StepPlan, publish
from seal_adapters.training.unused_adapters import adapter_parameters, received_gradient

logger = logging.getLogger(__name__)

MODES = ("alternate", "joint")


def _parse_schedule(schedule: Sequence[Union[Sequence[Any], Dict[str, Any]]]) -> List[Tuple[str, int]]:
    if not schedule:
        raise ConfigurationError(
            "adapter_schedule: the schedule is empty; give e.g. [[\"scorenn\", 1], [\"tasknn\", 1]]."
        )
    parsed = []
    for entry in schedule:
        if isinstance(entry, dict):
            entry = (entry.get("adapter"), entry.get("steps"))
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            raise ConfigurationError(
                f"adapter_schedule: schedule entry {entry!r} must be [adapter_name, steps], "
                "so the schedule is a list of pairs, e.g. [[\"scorenn\", 1], [\"tasknn\", 1]]."
            )
        name, steps = entry
        if not isinstance(name, str):
            raise ConfigurationError(f"adapter_schedule: adapter name {name!r} must be a string.")
        if isinstance(steps, bool) or not isinstance(steps, int) or steps <= 0:
            raise ConfigurationError(
                f"adapter_schedule: '{name}' has {steps!r} steps; the number of optimizer "
                "steps per turn must be a positive integer."
            )
        parsed.append((name, steps))
    return parsed


@TrainerCallback.register("adapter_schedule")
@TrainerCallback.register("alternating_adapters")  # the old name, kept for existing configs
class AdapterScheduleCallback(TrainerCallback):
    """
    # Parameters

    schedule : `List[Tuple[str, int]]`, optional (default = `[["scorenn", 1], ["tasknn", 1]]`)
        Adapter name and number of optimizer steps, cycled through in order.
    mode : `str`, optional (default = `"alternate"`)
        `"alternate"`: one adapter trains at a time, as the schedule says; `"joint"`: every
        adapter of the schedule trains in every step (see the module docstring).
    """

    def __init__(self, serialization_dir: str,
                 schedule: Optional[List[Any]] = None, mode: str = "alternate") -> None:
        # List[Any], not List[Tuple[str, int]]: allennlp's own type check would answer a
        # flat list with "Expected schedule.0.1 to be a int."; _parse_schedule says what to write.
        super().__init__(serialization_dir)
        if mode not in MODES:
            raise ConfigurationError(f"adapter_schedule: mode must be one of {list(MODES)}, "
                                     f"got {mode!r}.")
        self.mode = mode
        self.schedule = _parse_schedule([["scorenn", 1], ["tasknn", 1]] if schedule is None else schedule)
        self.position = 0  # index into the schedule
        self.steps_in_turn = 0  # optimizer steps already taken in this turn
        self.steps_this_epoch: Dict[str, int] = {}
        self.without_gradient_this_epoch: Dict[str, int] = {}  # steps whose adapter got no gradient
        self._sides: Dict[str, List[Tuple[str, torch.nn.Parameter]]] = {}
        self._adapter_parameters: Dict[str, List[torch.nn.Parameter]] = {}
        self._model: Optional[torch.nn.Module] = None
        self._backbones: List[torch.nn.Module] = []  # the model's adapter backbones (set by attach)
        self._compiled = False  # whether a backbone of the model is compiled (set by attach)
        self._accumulation = 1  # the trainer's num_gradient_accumulation_steps (set by on_start)
        # Consecutive optimizer steps on one batch (repeat_each_batch's times, set by on_start;
        # 1 under gradient accumulation, where a group's batches alternate), and this step's index.
        self.batch_repeats = 1
        self.step_on_batch = 0

    # -- state ------------------------------------------------------------------------

    @property
    def adapter_order(self) -> List[str]:
        """The schedule's adapters, each once; `trained_adapter` metrics index into it."""
        return list(dict.fromkeys(name for name, _ in self.schedule))

    @property
    def current(self) -> str:
        """The adapter this step trains ("all of the schedule" in joint mode)."""
        return "+".join(self.adapter_order) if self.joint else self.schedule[self.position][0]

    @property
    def joint(self) -> bool:
        return self.mode == "joint"

    def training_description(self) -> str:
        """What this step trains, for messages (finite_loss.py)."""
        if self.joint:
            return "adapters " + " and ".join(f"'{name}'" for name in self.adapter_order)
        return f"adapter '{self.current}'"

    def plan(self) -> StepPlan:
        """The plan of the next training step (embedders/step_plan.py)."""
        return StepPlan(tuple(self.adapter_order) if self.joint else (self.current,),
                        self.step_on_batch, self.batch_repeats)

    def trains(self, adapter: str) -> bool:
        return self.plan().trains(adapter)

    def state_dict(self) -> Dict[str, Any]:
        return {"position": self.position, "steps_in_turn": self.steps_in_turn,
                "step_on_batch": self.step_on_batch,
                "steps_this_epoch": dict(self.steps_this_epoch),
                "without_gradient_this_epoch": dict(self.without_gradient_this_epoch)}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        self.position = int(state_dict["position"]) % len(self.schedule)
        self.steps_in_turn = int(state_dict["steps_in_turn"])
        self.step_on_batch = int(state_dict.get("step_on_batch", 0))
        self.steps_this_epoch = dict(state_dict.get("steps_this_epoch", {}))
        self.without_gradient_this_epoch = dict(state_dict.get("without_gradient_this_epoch", {}))
        if self._model is not None:
            self._apply()

    # -- freezing -----------------------------------------------------------------------

    def attach(self, model: torch.nn.Module) -> None:
        """Finds the model's adapters and sides, checks the schedule, applies the first turn."""
        backbones = adapter_backbones(model)
        if not backbones:
            raise ConfigurationError(
                "adapter_schedule needs a model with an adapter embedder "
                "('pretrained_transformer_with_adapters' or "
                "'pretrained_transformer_mismatched_with_adapters'); this model has none."
            )
        adapter_names = list(dict.fromkeys(n for b in backbones for n in b.names))
        unknown = sorted({name for name, _ in self.schedule} - set(adapter_names))
        if unknown:
            raise ConfigurationError(
                f"adapter_schedule: the schedule names adapter(s) {unknown}, but the model's "
                f"embedder has {adapter_names}. Fix the schedule or the embedder's 'adapters'."
            )
        idle = sorted(set(adapter_names) - {name for name, _ in self.schedule})
        if idle:
            logger.warning("adapter_schedule: adapter(s) %s are not in the schedule and stay frozen.", idle)
        static = getattr(model, "static_scorenn", None) is not None
        if static and getattr(model, "scorenn_adapter", None) in {name for name, _ in self.schedule}:
            raise ConfigurationError(
                f"adapter_schedule: the model's ScoreNN is static (static_scorenn: loaded frozen), "
                f"but the schedule {[list(turn) for turn in self.schedule]} would train its "
                f"'{model.scorenn_adapter}' adapter. Remove the adapter_schedule callback: in a "
                "SEAL-static run only the TaskNN trains.")
        self._sides, _ = parameters_by_side(model, adapter_names)
        self._adapter_parameters = adapter_parameters(model)
        self._model = model
        self._backbones = backbones
        self._compiled = any(b.compiled is not None for b in backbones)
        self._apply()

    def _publish(self) -> StepPlan:
        """Publishes the next step's plan on the model's backbones, and returns it."""
        plan = self.plan()
        publish(self._backbones, plan)
        return plan

    def _apply(self) -> None:
        """Publishes the next step's plan and sets `requires_grad` from it: the one place
        that decides which side trains (called when the side that trains changes)."""
        if self._model is None:
            return
        plan = self._publish()
        for name, parameters in self._sides.items():
            trainable = plan.trains(name)
            for _, parameter in parameters:
                parameter.requires_grad_(trainable)

    def frozen_parameters(self) -> List[torch.nn.Parameter]:
        return [p for name, ps in self._sides.items() if not self.trains(name) for _, p in ps]

    # -- trainer hooks -------------------------------------------------------------------

    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        self.attach(trainer.model)
        sampler = getattr(getattr(trainer, "data_loader", None), "batch_sampler", None)
        self._check_repetition(sampler)
        self._accumulation = int(getattr(trainer, "_num_gradient_accumulation_steps", 1) or 1)
        self._check_every_side_gets_a_turn(trainer, sampler)
        if isinstance(sampler, RepeatEachBatchSampler):  # repeat whole accumulation groups
            sampler.group = self._accumulation
            self.batch_repeats = sampler.times if self._accumulation == 1 else 1
            self.step_on_batch %= self.batch_repeats
            self._publish()
        if self._compiled and skip_confidence_checks(trainer):
            logger.info("adapter_schedule: allennlp's confidence checks are skipped for the compiled "
                        "transformer (their first-batch hooks would compile every graph twice)")
        if self.joint:
            logger.info("adapter_schedule: joint mode, %s train in every step", self.adapter_order)
        else:
            logger.info("adapter_schedule: schedule %s, starting with '%s'", self.schedule, self.current)

    def _check_repetition(self, sampler) -> None:
        """A `repeat_each_batch` loader must repeat each batch once per step of a schedule
        cycle, or the sides would not train on the same batches."""
        cycle = 1 if self.joint else sum(steps for _, steps in self.schedule)
        times = sampler.times if isinstance(sampler, RepeatEachBatchSampler) else 1
        if self.joint and times > 1:
            raise ConfigurationError(
                f"adapter_schedule: in joint mode every step trains both sides, but the data "
                f"loader repeats each batch {times} times, so each side would train on each "
                "batch that often. Use a plain data loader (no repeat_each_batch).")
        if times > 1 and times != cycle:
            raise ConfigurationError(
                f"adapter_schedule: the data loader repeats each batch {times} times, but one "
                f"cycle of the schedule {self.schedule} has {cycle} steps, so the sides would train "
                f"on different batches. Set repeat_each_batch's times to {cycle}."
            )

    def _check_every_side_gets_a_turn(self, trainer, sampler) -> None:
        """Without `repeat_each_batch` the sides of an alternating schedule take turns on
        different batches (said once, loudly); an epoch shorter than a schedule cycle would
        leave a side untrained (refused)."""
        if self.joint:
            return
        cycle = sum(steps for _, steps in self.schedule)
        if isinstance(sampler, RepeatEachBatchSampler) or cycle < 2:
            return
        try:
            steps = -(-len(trainer.data_loader) // self._accumulation)
        except TypeError:  # a loader without a length
            steps = None
        turns, done = [], 0
        for name, count in self.schedule:
            if steps is not None and done >= steps:
                turns.append(name)
            done += count
        if turns:
            raise ConfigurationError(
                f"adapter_schedule: an epoch has only {steps} optimizer step(s), fewer than one "
                f"cycle of the schedule {[list(turn) for turn in self.schedule]}, so {turns} would "
                "never train. Fix: repeat "
                f"each batch once per step of a cycle (data_loader.batch_sampler {{\"type\": "
                f"\"repeat_each_batch\", \"times\": {cycle}, ...}}, as lib/trainer.libsonnet's "
                "seal_loader does), use mode \"joint\", or train on more data.")
        from seal_adapters.models.seal_model import SealModel

        seal = (" (in SEAL the ScoreNN then never scores the batches the TaskNN learns from)"
                if isinstance(getattr(trainer, "model", None), SealModel) else "")
        logger.warning(
            "adapter_schedule: the data loader does not repeat batches, so the sides of the "
            "schedule %s train on different batches, each on its share in turn%s. To train every "
            "side on every batch, repeat each batch %d times (repeat_each_batch, as "
            "lib/trainer.libsonnet's seal_loader does), or use mode \"joint\".",
            [list(turn) for turn in self.schedule], seal, cycle)

    def _group_size(self, trainer) -> int:
        """Batches in the current optimizer step: allennlp divides the loss by this number
        before its own backward (`loss / len(batch_group)`), but hands callbacks the undivided
        `batch_outputs["loss"]`; the last group of an epoch may be short."""
        steps = self._accumulation
        if steps == 1:
            return 1
        try:
            batches = len(trainer.data_loader)
        except TypeError:
            return steps
        done = getattr(trainer, "_batches_in_epoch_completed", 0) * steps
        return max(1, min(steps, batches - done))

    def on_backward(self, trainer, batch_outputs: Dict[str, torch.Tensor], backward_called: bool,
                    **kwargs) -> bool:
        did_backward = False
        if not backward_called:
            loss = batch_outputs["loss"] / self._group_size(trainer)
            scaler = getattr(trainer, "_scaler", None)
            (scaler.scale(loss) if scaler is not None else loss).backward()
            did_backward = True
        for parameter in self.frozen_parameters():
            parameter.grad = None
        return did_backward

    def on_batch(self, trainer, batch_inputs, batch_outputs, batch_metrics: Dict[str, Any],
                 epoch: int, batch_number: int, is_training: bool, is_primary: bool = True,
                 batch_grad_norm: Optional[float] = None, **kwargs) -> None:
        if not is_training:
            return
        trained = self.current
        for name in (self.adapter_order if self.joint else [trained]):
            self.steps_this_epoch[name] = self.steps_this_epoch.get(name, 0) + 1
            if not received_gradient(self._adapter_parameters.get(name, ())):
                self.without_gradient_this_epoch[name] = self.without_gradient_this_epoch.get(name, 0) + 1
        self.step_on_batch = (self.step_on_batch + 1) % self.batch_repeats
        turn_ended = False
        if not self.joint:
            self.steps_in_turn += 1
            turn_ended = self.steps_in_turn >= self.schedule[self.position][1]
            if turn_ended:
                self.position = (self.position + 1) % len(self.schedule)
                self.steps_in_turn = 0
        if turn_ended:
            self._apply()  # another side trains next: publish its plan and set requires_grad
        else:
            self._publish()  # the same side: only the step's place on its batch moved
        if not self.joint:
            # Joint steps train every adapter, so there is no one adapter to report.
            batch_metrics["trained_adapter"] = self.adapter_order.index(trained)
        # Shown in the progress bar, and in tensorboard / wandb through their callbacks.
        for name, _ in self.schedule:
            batch_metrics[f"steps_{name}"] = self.steps_this_epoch.get(name, 0)

    def on_epoch(self, trainer, metrics: Dict[str, Any], epoch: int, is_primary: bool = True,
                 **kwargs) -> None:
        if is_primary and epoch >= 0:
            turns = ", ".join(f"{name} {self.steps_this_epoch.get(name, 0)} steps"
                              + self._no_gradient_note(name) for name in self.adapter_order)
            losses = ", ".join(f"{key[len('training_'):]} {value:.4f}" for key, value in sorted(metrics.items())
                               if key.startswith("training_") and key.endswith("loss")
                               and isinstance(value, (int, float)))
            validation = ", ".join(f"{key[len('validation_'):]} {value:.4f}"
                                   for key, value in sorted(metrics.items())
                                   if key.startswith("validation_") and isinstance(value, (int, float))
                                   and not key.endswith(("_mb", "_secs")))
            logger.info("epoch %d | trained: %s | losses: %s | validation: %s", epoch, turns,
                        losses or "-", validation or "-")
        self.steps_this_epoch = {}
        self.without_gradient_this_epoch = {}
        # step_on_batch carries on: a full repeat_each_batch epoch ends with it at 0, and a
        # loader with batches_per_epoch may end an epoch inside a batch's repeats and carry
        # on there in the next one.

    def _no_gradient_note(self, name: str) -> str:
        missing = self.without_gradient_this_epoch.get(name, 0)
        if not missing:
            return ""
        if missing == self.steps_this_epoch.get(name, 0):
            return " (none gave the adapter a gradient: the model's loss does not use its channel)"
        return f" ({missing} without gradient to the adapter: its loss was 0 on those batches)"


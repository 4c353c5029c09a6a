"""The benchmark's training and prediction cases, each timed over the same batches.

Raw cases are a hand-written loop on a plain `adapters` model (AutoModel + adapters.init +
Parallel); plugin cases go through allennlp's GradientDescentTrainer with the adapter
embedder, the `adapter_schedule` callback and `seal_text_classifier`. Both use the
same SEAL loss (the model's own heads and loss objects), the same batches and AdamW.
"""
import copy
import time
from typing import Dict, Iterator, List

import adapters
import torch
from adapters import AdapterSetup, Parallel
from allennlp.common import Params
from allennlp.data import DataLoader, Vocabulary
from allennlp.models import Model
from allennlp.training import GradientDescentTrainer
from allennlp.training.callbacks import TrainerCallback
from transformers import AutoModel

from seal_adapters.training import AdapterScheduleCallback

SCHEDULE = [["scorenn", 1], ["tasknn", 1]]


class FixedBatches(DataLoader):
    """Already-tensorised batches, so every case times the model step, not tokenisation."""

    def __init__(self, batches: List[dict]):
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.batches)

    def iter_instances(self):
        return iter(())

    def index_with(self, vocab):
        pass

    def set_target_device(self, device):
        pass


class StepClock(TrainerCallback):
    """Timestamps each optimizer step (after a device sync)."""

    def __init__(self, device: torch.device):
        super().__init__("")
        self.device = device
        self.times: List[float] = []

    def tick(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.times.append(time.perf_counter())

    def on_start(self, trainer, **kwargs):
        self.tick()

    def on_batch(self, trainer, *args, is_training=True, **kwargs):
        if is_training:
            self.tick()


def samples_per_second(times: List[float], batch_size: int, warmup: int) -> float:
    steady = times[warmup:]
    return batch_size * (len(steady) - 1) / (steady[-1] - steady[0])


def make_batches(vocab_size: int, batch_size: int, length: int, steps: int, device, seed=0) -> List[dict]:
    generator = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(steps):
        ids = torch.randint(5, vocab_size, (batch_size, length), generator=generator)
        ids[:, 0] = 0
        batches.append({
            "tokens": {"tokens": {"token_ids": ids.to(device),
                                  "mask": torch.ones(batch_size, length, dtype=torch.bool, device=device),
                                  "type_ids": torch.zeros(batch_size, length, dtype=torch.long, device=device)}},
            "label": torch.randint(0, 2, (batch_size,), generator=generator).to(device),
        })
    return batches


def plugin_model(model_dir: str, dual: bool, execution: str, gradient_checkpointing: bool = False,
                 compile=False, reuse_idle_channel: bool = True) -> Model:
    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(["neg", "pos"], "labels")
    adapters_config = {"scorenn": "seq_bn", "tasknn": "seq_bn"} if dual else {"tasknn": "seq_bn"}
    return Model.from_params(vocab=vocab, params=Params({
        "type": "seal_text_classifier",
        "score_loss_weight": 1.0 if dual else 0.0,
        "dropout": 0.0,
        "reuse_idle_channel": reuse_idle_channel,
        "text_field_embedder": {"token_embedders": {"tokens": {
            "type": "pretrained_transformer_with_adapters", "model_name": model_dir,
            "adapters": adapters_config, "execution": execution,
            "gradient_checkpointing": gradient_checkpointing, "compile": compile,
        }}},
    }))


def run_plugin_training(model: Model, batches, device, batch_size: int, warmup: int, use_amp: bool,
                        mode: str = "alternate", repeat: int = 1) -> float:
    """Samples per second of `batches` through allennlp's trainer. `repeat` > 1 gives each
    batch that many steps in a row (SEAL's alternation with both sides on every batch), and
    counts each batch's samples once: the rate is then of distinct samples, an epoch's."""
    model.to(device)
    parameters = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([p for _, p in parameters], lr=1e-4)
    clock = StepClock(device)
    callbacks = [clock]
    if "scorenn" in model.heads:
        schedule = AdapterScheduleCallback("", schedule=SCHEDULE, mode=mode)
        # The batches below repeat as repeat_each_batch repeats them; the callback learns that
        # from the sampler in on_start, and from here for this plain list of batches.
        schedule.batch_repeats = repeat
        callbacks.insert(0, schedule)
    batches = [batch for batch in batches for _ in range(repeat)]
    warmup, batch_size = warmup * repeat, batch_size / repeat
    trainer = GradientDescentTrainer(
        model, optimizer, FixedBatches(batches), num_epochs=1, callbacks=callbacks,
        cuda_device=device if device.type == "cuda" else -1, use_amp=use_amp,
        enable_default_callbacks=False,
    )
    trainer.train()
    return samples_per_second(clock.times, batch_size, warmup)


class RawSeal(torch.nn.Module):
    """A plain adapters model with the plugin model's heads and losses: the reference loop."""

    def __init__(self, model_dir: str, reference: Model):
        super().__init__()
        self.names = list(reference.heads.keys())  # tasknn (, scorenn)
        self.backbone = AutoModel.from_pretrained(model_dir)
        adapters.init(self.backbone)
        for name in self.names:
            self.backbone.add_adapter(name, config="seq_bn")
        for parameter_name, parameter in self.backbone.named_parameters():
            parameter.requires_grad_(".adapters." in parameter_name)
        self.backbone.active_adapters = Parallel(*self.names) if len(self.names) > 1 else self.names[0]
        self.heads = copy.deepcopy(reference.heads)
        self.__dict__["reference"] = reference  # not a submodule: its parameters are not ours

    def side(self, name: str) -> List[torch.nn.Parameter]:
        return [p for n, p in self.named_parameters() if name in n.split(".")]

    def channels(self, ids, mask, sequential: bool) -> Dict[str, torch.Tensor]:
        if len(self.names) == 1:
            return {self.names[0]: self.backbone(input_ids=ids, attention_mask=mask).last_hidden_state}
        if sequential:
            out = {}
            for name in self.names:
                frozen = not self.side(name)[0].requires_grad
                with torch.no_grad() if frozen else torch.enable_grad(), AdapterSetup(name):
                    out[name] = self.backbone(input_ids=ids, attention_mask=mask).last_hidden_state
            return out
        hidden = self.backbone(input_ids=ids, attention_mask=mask).last_hidden_state
        return dict(zip(self.names, hidden.chunk(len(self.names), dim=0)))

    def loss(self, batch, sequential: bool) -> torch.Tensor:
        """The SEAL loss exactly as `SealModel._seal_forward` computes it."""
        ids = batch["tokens"]["tokens"]["token_ids"]
        mask = batch["tokens"]["tokens"]["mask"]
        channels = self.channels(ids, mask.float(), sequential)
        model = self.reference
        gold = torch.nn.functional.one_hot(batch["label"], 2).float()
        logits = self.heads["tasknn"](channels["tasknn"], mask)
        probs = model.space.probabilities(logits)
        if "scorenn" not in self.heads:
            return model._tasknn_loss(model.space, logits, gold, None, None, 0.0)
        saved = model.heads
        model.heads = self.heads  # the score functions read the ScoreNN head from here
        try:
            score, frozen_score = model._score_functions(channels["scorenn"], mask)
        finally:
            model.heads = saved
        loss = model._tasknn_loss(model.space, logits, gold, None, frozen_score, model.score_loss_weight)
        return loss + model._scorenn_loss(score, model.space, probs.detach(), gold, None)


def run_raw_training(raw: RawSeal, batches, device, batch_size: int, warmup: int,
                     use_amp: bool, sequential: bool) -> float:
    raw.to(device).train()
    optimizer = torch.optim.AdamW([p for p in raw.parameters() if p.requires_grad], lr=1e-4)
    scaler = torch.amp.GradScaler("cuda") if use_amp and device.type == "cuda" else None
    turn = [name for name, _ in SCHEDULE if name in raw.names]
    clock = StepClock(device)
    clock.tick()
    for step, batch in enumerate(batches):
        trained = turn[step % len(turn)]
        for name in raw.names:
            for parameter in raw.side(name):
                parameter.requires_grad_(name == trained)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, enabled=use_amp and device.type == "cuda"):
            loss = raw.loss(batch, sequential)
        (scaler.scale(loss) if scaler else loss).backward()
        if scaler:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        clock.tick()
    return samples_per_second(clock.times, batch_size, warmup)


def run_prediction(forward, batches, device, batch_size: int, warmup: int) -> float:
    clock = StepClock(device)
    clock.tick()
    with torch.inference_mode():
        for batch in batches:
            forward(batch)
            clock.tick()
    return samples_per_second(clock.times, batch_size, warmup)

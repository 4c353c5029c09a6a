"""Where a SEAL step's time goes: torch.profiler over the plugin's alternating (or joint) steps.

    .venv/bin/python bench/profile_seal_step.py --model minilm --steps 12        # alternating
    .venv/bin/python bench/profile_seal_step.py --model minilm --mode joint

Runs the `bench/run.py` SEAL case (MiniLM-L6 or a small random RoBERTa, batch 32 x 64, two
seq_bn adapters, `seal_text_classifier` with NCE, allennlp's trainer and the
`adapter_schedule` callback) and prints one JSON line: milliseconds per optimizer step in
each part, from the `seal.*` profiler labels in the model and the backbone (each channel's
forward with or without autograd, the TaskNN head, the TaskNN loss with its score term, the
ScoreNN loss with its sampling and scoring, the diagnostics), autograd's backward, the
optimizer, and the rest of the step (allennlp's trainer, the callbacks, batch handling).
Numbers are per optimizer step, after warm-up; docs/benchmarks.md has a measured breakdown.
"""
import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
from allennlp.training import GradientDescentTrainer  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

import seal_adapters  # noqa: E402,F401
from bench.cases import SCHEDULE, FixedBatches, make_batches, plugin_model  # noqa: E402
from bench.run import model_dir  # noqa: E402
from seal_adapters.training.adapter_schedule import AdapterScheduleCallback  # noqa: E402

# profiler event name -> part of the breakdown (labels from adapter_backbone.py / seal_model.py)
PARTS = {
    "seal.channel.scorenn.grad": "scorenn channel forward (autograd)",
    "seal.channel.scorenn.no_grad": "scorenn channel forward (no autograd)",
    "seal.channel.tasknn.grad": "tasknn channel forward (autograd)",
    "seal.channel.tasknn.no_grad": "tasknn channel forward (no autograd)",
    "seal.channels.parallel": "both channels, one Parallel forward",
    "seal.tasknn_head": "tasknn head",
    "seal.tasknn_loss": "tasknn loss (cross-entropy + score term)",
    "seal.scorenn_loss": "scorenn loss (sampling + scoring)",
    "seal.diagnostics": "diagnostics",
}


def breakdown(prof, steps: int, wall: float) -> dict:
    totals = {}
    backward = optimizer = 0.0
    for event in prof.key_averages():
        if event.key in PARTS:
            totals[PARTS[event.key]] = totals.get(PARTS[event.key], 0.0) + event.cpu_time_total
        elif event.key.startswith("autograd::engine::evaluate_function"):
            backward += event.cpu_time_total  # the top-level op of each backward node
        elif event.key.startswith("Optimizer.step#") or event.key.startswith("Optimizer.zero_grad#"):
            optimizer += event.cpu_time_total
    parts = {name: round(us / 1000 / steps, 1) for name, us in sorted(totals.items())}
    parts["backward (autograd)"] = round(backward / 1000 / steps, 1)
    parts["optimizer step + zero_grad"] = round(optimizer / 1000 / steps, 1)
    step_ms = wall * 1000 / steps
    parts["rest of the step (trainer, callbacks, batches)"] = round(step_ms - sum(parts.values()), 1)
    return {"ms_per_step": round(step_ms, 1), "parts_ms_per_step": parts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm", help="minilm (bundled) or small (random RoBERTa)")
    parser.add_argument("--mode", default="alternate", choices=["alternate", "joint"])
    parser.add_argument("--recompute", action="store_true",
                        help="reuse_idle_channel false: every channel computed afresh (alternating: one "
                             "channel forward more per batch)")
    parser.add_argument("--steps", type=int, default=12, help="profiled optimizer steps")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--length", type=int, default=64)
    args = parser.parse_args()
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as scratch:
        directory = model_dir(args.model, scratch)
        model = plugin_model(directory, True, "auto", reuse_idle_channel=not args.recompute)
        vocab_size = model._embedder.config.vocab_size
        device = torch.device("cpu")
        parameters = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(parameters, lr=1e-4)
        repeat = 2 if args.mode == "alternate" else 1
        batches = make_batches(vocab_size, args.batch_size, args.length, args.warmup + args.steps, device)
        batches = [b for b in batches for _ in range(repeat)]
        warm, measured = batches[:args.warmup * repeat], batches[args.warmup * repeat:]

        def trainer(data):
            callback = AdapterScheduleCallback("", schedule=SCHEDULE, mode=args.mode)
            callback.batch_repeats = repeat  # the batches repeat as repeat_each_batch's would
            return GradientDescentTrainer(model, optimizer, FixedBatches(data), num_epochs=1,
                                          callbacks=[callback], enable_default_callbacks=False)

        trainer(warm).train()
        run = trainer(measured)
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            started = time.perf_counter()
            run.train()
            wall = time.perf_counter() - started
    result = {"model": args.model, "mode": args.mode, "reuse_idle_channel": not args.recompute,
              "batch": [args.batch_size, args.length],
              "threads": torch.get_num_threads(), **breakdown(prof, len(measured), wall)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()

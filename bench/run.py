"""Dual-adapter training and prediction speed and memory: the plugin against raw loops.

    .venv/bin/python bench/run.py --device cpu --quick     # < 1 minute on 2 cores
    .venv/bin/python bench/run.py --device cpu --model minilm --repeat 3
    .venv/bin/python bench/run.py --device cuda --model roberta-base --amp --compile

Prints one JSON line per case (samples/s, peak memory), then a summary line with the
ratios of docs/benchmarks.md: plugin_vs_raw, dual_vs_single, dual_memory_vs_single,
predict_vs_single, seal_alternating_epoch_vs_single (the exact alternating step, which reuses
the channel each step keeps for the other side), seal_alternating_recompute_epoch_vs_single
(reuse_idle_channel false: every channel computed afresh) and seal_joint_epoch_vs_single
(SEAL epoch time over one adapter's; lower is better), and with --compile
compiled_dual_vs_eager_single. Models need no download: "small" and "roberta-base" are
random-init RoBERTa configs built locally (speed does not depend on the weights), "minilm"
is the bundled pretrained MiniLM-L6.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

import seal_adapters  # noqa: E402,F401  (registers the components)
from bench.cases import (  # noqa: E402
    RawSeal,
    make_batches,
    plugin_model,
    run_plugin_training,
    run_prediction,
    run_raw_training,
)
from bench.memory import PeakMemory  # noqa: E402
from seal_adapters.embedders.model_source import resolve_model_name  # noqa: E402
from seal_adapters.testing.tiny_models import build_tiny_roberta  # noqa: E402

SHAPES = {  # hidden, layers, heads, intermediate
    "small": (128, 2, 4, 512),
    "roberta-base": (768, 12, 12, 3072),
}


def model_dir(name: str, scratch: str) -> str:
    if name in SHAPES:
        hidden, layers, heads, intermediate = SHAPES[name]
        return build_tiny_roberta(os.path.join(scratch, name), hidden_size=hidden, num_layers=layers,
                                  num_heads=heads, intermediate_size=intermediate)
    return resolve_model_name(name)


def measure(name: str, device, run) -> dict:
    with PeakMemory(device) as memory:
        started = time.perf_counter()
        samples_per_second = run()
    return {"case": name, "samples_per_second": round(samples_per_second, 2),
            "peak_memory_mib": round(memory.peak_mib, 1), "added_memory_mib": round(memory.added_mib, 1),
            "wall_seconds": round(time.perf_counter() - started, 2)}


def cases(directory: str, device, batch_size: int, length: int, steps: int, warmup: int, use_amp: bool,
          compile: bool = False):
    vocab_size = seal_adapters.embedders.backbone_cache.frozen_backbone(directory).config.vocab_size
    batches = make_batches(vocab_size, batch_size, length, steps, device)
    common = dict(device=device, batch_size=batch_size, warmup=warmup)

    def plugin(dual, execution, checkpointing=False, compiled=False, mode="alternate", repeat=1, reuse=True):
        return lambda: run_plugin_training(plugin_model(directory, dual, execution, checkpointing,
                                                        compile=compiled, reuse_idle_channel=reuse),
                                           batches, use_amp=use_amp, mode=mode, repeat=repeat, **common)

    def raw(dual, sequential):
        return lambda: run_raw_training(RawSeal(directory, plugin_model(directory, dual, "parallel")),
                                        batches, use_amp=use_amp, sequential=sequential, **common)

    def predict_plugin():
        model = plugin_model(directory, True, "auto").to(device).eval()
        return run_prediction(lambda b: model(tokens=b["tokens"]), batches, **common)

    def predict_raw_single():
        raw_model = RawSeal(directory, plugin_model(directory, False, "parallel")).to(device).eval()
        return run_prediction(lambda b: raw_model.heads["tasknn"](
            raw_model.backbone(input_ids=b["tokens"]["tokens"]["token_ids"]).last_hidden_state,
            b["tokens"]["tokens"]["mask"]), batches, **common)

    yield "raw_single", raw(False, False)
    yield "raw_dual_parallel", raw(True, False)
    yield "raw_dual_sequential", raw(True, True)
    yield "plugin_single", plugin(False, "auto")
    yield "plugin_dual_parallel", plugin(True, "parallel")
    yield "plugin_dual_sequential", plugin(True, "sequential")
    yield "plugin_dual_auto", plugin(True, "auto")
    # A SEAL epoch over the same batches: alternating (each batch twice, a step per side) and
    # joint (one step per batch trains both sides), against one adapter's epoch.
    yield "seal_epoch_alternating", plugin(True, "auto", repeat=2)
    yield "seal_epoch_alternating_recompute", plugin(True, "auto", repeat=2, reuse=False)  # reuse_idle_channel false
    yield "seal_epoch_joint", plugin(True, "auto", mode="joint")
    yield "plugin_dual_auto_checkpointing", plugin(True, "auto", True)
    yield "plugin_dual_parallel_checkpointing", plugin(True, "parallel", True)
    if compile:
        # Warm-up steps include compiling: one graph per side (the first two steps).
        yield "plugin_dual_auto_compiled", plugin(True, "auto", compiled=True)
    yield "predict_raw_single", predict_raw_single
    yield "predict_plugin", predict_plugin


def median_result(runs: list) -> dict:
    """Per measure, the median over the rounds of one case."""
    keys = ("samples_per_second", "peak_memory_mib", "added_memory_mib")
    return {key: statistics.median(run[key] for run in runs) for key in keys}


# summary key -> (numerator case, denominator case, measure); "best_raw_dual" is the faster
# of the two raw dual-adapter strategies.
RATIOS = {
    "plugin_vs_raw": ("plugin_dual_parallel", "raw_dual_parallel", "speed"),
    "plugin_vs_raw_sequential": ("plugin_dual_sequential", "raw_dual_sequential", "speed"),
    "dual_vs_single": ("plugin_dual_auto", "plugin_single", "speed"),
    "auto_vs_best_raw_strategy": ("plugin_dual_auto", "best_raw_dual", "speed"),
    "dual_memory_vs_single": ("plugin_dual_auto", "plugin_single", "memory"),
    "checkpointing_memory_vs_plain": ("plugin_dual_auto_checkpointing", "plugin_dual_auto", "memory"),
    "parallel_checkpointing_memory_vs_plain": ("plugin_dual_parallel_checkpointing",
                                               "plugin_dual_parallel", "memory"),
    "predict_vs_single": ("predict_plugin", "predict_raw_single", "speed"),
    # epoch time of SEAL / epoch time of one adapter (lower is better)
    "seal_alternating_epoch_vs_single": ("plugin_single", "seal_epoch_alternating", "speed"),
    "seal_alternating_recompute_epoch_vs_single": ("plugin_single", "seal_epoch_alternating_recompute", "speed"),
    "seal_joint_epoch_vs_single": ("plugin_single", "seal_epoch_joint", "speed"),
    "compiled_dual_vs_eager_single": ("plugin_dual_auto_compiled", "raw_single", "speed"),
}


def summarise(results: dict, device) -> dict:
    """The ratios whose two cases ran (all of them without --cases)."""
    memory_key = "peak_memory_mib" if device.type == "cuda" else "added_memory_mib"
    measures = {"speed": {name: r["samples_per_second"] for name, r in results.items()},
                "memory": {name: r[memory_key] for name, r in results.items()}}
    speed = measures["speed"]
    if "raw_dual_parallel" in speed and "raw_dual_sequential" in speed:
        speed["best_raw_dual"] = max(speed["raw_dual_parallel"], speed["raw_dual_sequential"])
    summary = {"summary": True}
    for key, (numerator, denominator, measure) in RATIOS.items():
        values = measures[measure]
        if numerator in values and denominator in values:
            summary[key] = round(values[numerator] / max(values[denominator], 1e-9), 3)
    summary["memory_measure"] = memory_key
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--model", default=None, help="small | minilm | roberta-base | a model dir")
    parser.add_argument("--quick", action="store_true", help="small model, few steps (< 1 minute on CPU)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--length", type=int, default=None, help="tokens per sequence")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--amp", action="store_true", help="mixed precision (CUDA only)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--compile", action="store_true",
                        help="add a case with the embedder's compile option (torch.compile, inductor)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run all cases this many times, interleaved; the summary uses medians")
    parser.add_argument("--cases", default=None,
                        help="comma-separated case names to run (default: all); e.g. "
                             "plugin_dual_auto,plugin_dual_auto_checkpointing for checkpointing memory")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    quick = args.quick
    model = args.model or ("small" if quick or args.device == "cpu" else "roberta-base")
    batch_size = args.batch_size or (8 if quick else 32 if args.device == "cpu" else 128)
    length = args.length or (32 if quick else 64 if args.device == "cpu" else 128)
    steps = args.steps or (10 if quick else 20)
    device = torch.device("cuda" if args.device == "cuda" else "cpu")
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as scratch:
        directory = model_dir(model, scratch)
        header = {"model": model, "device": str(device), "batch_size": batch_size, "length": length,
                  "steps": steps, "warmup": args.warmup, "amp": args.amp, "compile": args.compile,
                  "threads": torch.get_num_threads(),
                  "torch": torch.__version__}
        if device.type == "cuda":
            header["gpu"] = torch.cuda.get_device_name(device)
        print(json.dumps(header), flush=True)
        wanted = set(args.cases.split(",")) if args.cases else None
        planned = list(cases(directory, device, batch_size, length, steps, args.warmup, args.amp,
                             args.compile or bool(wanted and "plugin_dual_auto_compiled" in wanted)))
        unknown = sorted((wanted or set()) - {name for name, _ in planned})
        if unknown:
            parser.error(f"unknown case(s) {unknown}; the cases are {[name for name, _ in planned]}")
        rounds: dict = {}
        for round_number in range(args.repeat):  # rounds interleave the cases: drift hits all alike
            for name, run in planned:
                if wanted is not None and name not in wanted:
                    continue
                result = measure(name, device, run)
                if args.repeat > 1:
                    result["round"] = round_number
                rounds.setdefault(name, []).append(result)
                print(json.dumps(result), flush=True)
        results = {name: median_result(runs) for name, runs in rounds.items()}
        print(json.dumps(summarise(results, device)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

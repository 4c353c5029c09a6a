"""`compare`: SEAL dual adapters against three baselines on the same data, model and budget.

With `--task TASK --seeds N` it compares SEAL with its cross-entropy baseline over N seeds on
sentiment, NER or multi-label data instead (`seeded_compare.py`).

Runs (each a config of training_configs/, all with the same training subset, epochs and
batch size, through `training_run`):

1. `seal`: seal_sentiment.jsonnet, two bottleneck adapters, SEAL, joint steps;
2. `tasknn_only`: tasknn_only.jsonnet, one bottleneck adapter, cross-entropy;
3. `tasknn_lora`: tasknn_only_lora.jsonnet, one LoRA adapter, cross-entropy;
4. `full_finetune`: full_finetune.jsonnet, every weight trains (allennlp's basic_classifier);
5. `seal_lora`: seal_sentiment_lora.jsonnet, SEAL with two LoRA adapters, alternating steps (against 3).

"Same budget" means the same epochs over the same sentences: within an epoch each SEAL side
trains on every batch (jointly, or alternating with repeat_each_batch), as the single adapter
does.

Writes into the output directory (default runs/compare/): one run directory per entry,
`comparison.json` and `comparison.md` (test accuracy, trainable parameters, saved size on
disk versus the full model, training time, peak memory), `comparison.png` (bar chart) and
`curves_<run>.png` (training curves). Finished runs are reused, so an interrupted comparison
continues where it stopped; `--retrain` trains everything again.
"""
import datetime
import json
import os
import platform
import sys
import time

from seal_adapters.cli import seeded_compare
from seal_adapters.cli.data_dir import repo_root, resolve_data_dir
from seal_adapters.cli.demo import (
    QUICK_BUDGET,
    add_budget_arguments,
    budget_of,
    choose_model,
)
from seal_adapters.cli.training_run import Budget, model_label, prepare

RUNS = (
    ("seal", "SEAL dual adapters (seq_bn)", "seal_sentiment.jsonnet", True),
    ("tasknn_only", "single tasknn adapter, cross-entropy", "tasknn_only.jsonnet", True),
    ("tasknn_lora", "single tasknn LoRA adapter, cross-entropy", "tasknn_only_lora.jsonnet", True),
    ("full_finetune", "full fine-tuning", "full_finetune.jsonnet", False),
    ("seal_lora", "SEAL dual LoRA adapters", "seal_sentiment_lora.jsonnet", True),
)
# (SEAL run, its single-adapter baseline of the same adapter kind)
SEAL_VS_SINGLE = (("seal", "tasknn_only"), ("seal_lora", "tasknn_lora"))
# Twice the demo's training: every run sees the whole training split twice.
DEFAULT_BUDGET = Budget(train_size=None, epochs=2, batch_size=16)
ADAPTER_BAR = 0.80  # every adapter variant, test accuracy
SEAL_MARGIN = 0.005  # SEAL may trail the single adapter by at most half a point


def add_arguments(parser):
    parser.add_argument("--data-dir", help="directory with rt-polarity.pos and rt-polarity.neg "
                        "(default: $SEAL_DATA_DIR, else ../shared/data/rt-polarity)")
    parser.add_argument("--model", help="local Hugging Face model dir or hub name "
                        "(default: the bundled MiniLM-L6)")
    parser.add_argument("-o", "--output-dir", default=None,
                        help="default runs/compare (with --task: runs/compare-<task>)")
    add_budget_arguments(parser, DEFAULT_BUDGET)
    parser.add_argument("--only", action="append", choices=[name for name, *_ in RUNS],
                        help="train only this run (repeatable); the table lists every finished run")
    parser.add_argument("--retrain", action="store_true", help="train finished runs again (deletes them)")
    parser.add_argument("--recover", action="store_true", help="resume interrupted runs")
    parser.add_argument("--quick", action="store_true",
                        help="the same pipeline on a tiny random transformer and 64 sentences")
    seeded_compare.add_arguments(parser)


def verdicts(rows) -> list:
    """The issue's bars, checked on what was measured."""
    by_name = {row["name"]: row for row in rows}
    notes = []
    for row in rows:
        accuracy = row.get("test_accuracy")
        if row["adapter"] and accuracy is not None:
            ok = accuracy >= ADAPTER_BAR
            notes.append(f"{row['run']}: test accuracy {accuracy:.4f} "
                         f"{'meets' if ok else 'MISSES'} the {ADAPTER_BAR:.2f} bar")
    for seal_name, single_name in SEAL_VS_SINGLE:
        seal, single = by_name.get(seal_name), by_name.get(single_name)
        if not (seal and single) or None in (seal.get("test_accuracy"), single.get("test_accuracy")):
            continue
        gap = single["test_accuracy"] - seal["test_accuracy"]
        ok = gap <= SEAL_MARGIN + 1e-9
        points = (seal["test_accuracy"] - single["test_accuracy"]) * 100 + 0.0  # no "-0.00"
        notes.append(f"{seal['run']} vs {single['run']}: {points:+.2f} points "
                     f"({'within' if ok else 'OUTSIDE'} the 0.5-point margin)")
    return notes


def run_budget(directory: str) -> str:
    """The budget a finished run was trained with, from its config.json (a reused run may
    come from an earlier invocation with other flags)."""
    with open(os.path.join(directory, "config.json")) as handle:
        config = json.load(handle)
    sampler = config.get("data_loader", {}).get("batch_sampler", {})
    sampler = sampler.get("batch_sampler", sampler)  # inside repeat_each_batch
    return Budget(config.get("dataset_reader", {}).get("max_instances"),
                  config.get("trainer", {}).get("num_epochs"),
                  sampler.get("batch_size", config.get("data_loader", {}).get("batch_size"))).describe()


def collect(output_dir: str):
    """(table row, RunMetrics) for every finished run in `output_dir`, in RUNS order."""
    from seal_adapters.reporting.model_stats import model_stats
    from seal_adapters.reporting.run_metrics import read_run

    rows = []
    for name, title, config, adapter in RUNS:
        directory = os.path.join(output_dir, name)
        if not os.path.isfile(os.path.join(directory, "model.tar.gz")):
            continue
        run = read_run(directory)
        row = {"name": name, "run": title, "config": f"training_configs/{config}",
               "adapter": adapter, "test_accuracy": run.test_accuracy,
               "best_validation_accuracy": run.final.get("best_validation_accuracy"),
               "training_seconds": run.training_seconds, "peak_memory_mb": run.peak_memory_mb,
               "budget": run_budget(directory)}
        row.update(model_stats(directory))
        rows.append((row, run))
    return rows


def write_report(output_dir: str, budget: Budget, model: str) -> None:
    from seal_adapters.reporting.bars import plot_comparison
    from seal_adapters.reporting.curves import plot_training_curves
    from seal_adapters.reporting.table import markdown_table, write_table

    collected = collect(output_dir)
    rows = [row for row, _ in collected]
    for row, run in collected:
        plot_training_curves(run, os.path.join(output_dir, f"curves_{row['name']}.png"),
                             f"{row['run']} on {model_label(model)}")
    meta = {
        "title": "SEAL dual adapters vs baselines on sentence polarity (rt-polarity)",
        "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), no GPU",
        "model": model_label(model),
        "budget": budget.describe(),
        "test split": "the standard 1,066 sentences",
    }
    checks = verdicts(rows)
    budgets = sorted({row["budget"] for row in rows})
    if budgets != [budget.describe()]:
        checks.append("WARNING: the runs were not all trained with this budget: "
                      + "; ".join(f"{row['name']}: {row['budget']}" for row in rows)
                      + " (--retrain trains them again)")
    notes = checks + [
        "peak memory: peak resident set size (RSS) of each training process",
        "saved on disk: the exported adapter(s) with their heads (safetensors); full fine-tuning "
        "saves the whole model (best.th), as does 'full model' for every run",
        "training time: allennlp's training_duration (training and per-epoch validation, no set-up)",
    ]
    paths = write_table(output_dir, rows, meta, notes)
    plot_comparison(rows, os.path.join(output_dir, "comparison.png"), meta["title"])
    print("\n" + markdown_table(rows) + "\n")
    for note in checks:
        print(f"- {note}")
    print(f"\nWrote {paths['markdown']}, {paths['json']}, {os.path.join(output_dir, 'comparison.png')} "
          f"and curves_<run>.png in {output_dir}")


def run(args):
    from seal_adapters.cli.training_run import build_config, train

    if args.task:
        return seeded_compare.run(args)
    if args.output_dir is None:
        args.output_dir = os.path.join("runs", "compare")
    sys.stdout.reconfigure(line_buffering=True)  # keep our lines in order with allennlp's
    started = time.time()
    data_dir = resolve_data_dir(args.data_dir)
    model = choose_model(args, args.output_dir)
    budget = budget_of(args, QUICK_BUDGET if args.quick else DEFAULT_BUDGET)
    configs = os.path.join(repo_root(), "training_configs")
    selected = [run for run in RUNS if not args.only or run[0] in args.only]
    print(f"Comparing {len(selected)} runs on {model_label(model)} ({model})\n  budget for each: {budget.describe()}; "
          "evaluation on the full test split (1,066 sentences)")
    for name, title, config, _ in selected:
        directory = os.path.join(args.output_dir, name)
        action = prepare(directory, args.retrain, args.recover)
        if action == "reuse":
            print(f"\n[{name}] {directory} is finished: reusing it (--retrain trains it again)")
            continue
        print(f"\n[{name}] {title}: training_configs/{config} -> {directory}")
        status = train(build_config(os.path.join(configs, config), model, data_dir, budget), directory,
                       recover=action == "recover", force=action == "retrain")
        if status != 0:
            print(f"error: run '{name}' failed (exit {status}); see {os.path.join(directory, 'out.log')}")
            return status
    write_report(args.output_dir, budget, model)
    print(f"\nComparison finished in {(time.time() - started) / 60:.1f} min.")
    return 0

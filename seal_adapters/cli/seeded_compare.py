"""`compare --task TASK --seeds N`: SEAL against its cross-entropy baseline, N seeds each.

For each seed k (1..N) both runs get allennlp's three seeds shifted by k (`random_seed`
13370+k, `numpy_seed` 1337+k, `pytorch_seed` 133+k), so seed k of SEAL and of the baseline
start from the same adapter initialisation and batch order. Each run is the real
`allennlp train` in a subprocess (training_run.train) and keeps its serialization directory
under `OUTPUT/<variant>/seed_<k>/`: finished runs are reused, so an interrupted comparison
continues where it stopped (`--recover` resumes a half-trained run, `--retrain` starts over).

Writes in OUTPUT (default runs/compare-<task>): `comparison.json` (every per-seed value, mean,
sample standard deviation, the ScoreNN diagnostics, and `verdicts` with
`seal_minus_cross_entropy`, the mean difference in points of the test metric,
`cross_entropy_mean`, `welch_t` and its two-sided `p_value`; per seed and per run the measures
of structure the models report: `invalid_transition_rate` for BIO taggers,
`unseen_label_set_rate` for multi-label models), `comparison.md`, `comparison.png` (per-seed values and means),
`diagnostics.png` (the ScoreNN's ranking accuracy and score-term ratio per epoch) and
`curves_<variant>_seed_<k>.png`.

`--seal-overrides` / `--baseline-overrides` take allennlp's JSON overrides (dotted keys, as
`allennlp train -o`), which is how docs/seal_study.md tries settings with this same tool.
"""
import datetime
import json
import os
import platform
import statistics
import sys
import time
from typing import Any, Dict, List, Optional

from seal_adapters.cli.demo import positive_int
from seal_adapters.cli.training_run import Budget, model_label, prepare
from seal_adapters.tasks import Task, all_tasks

VARIANTS = ("seal", "cross_entropy")
SEED_BASES = {"random_seed": 13370, "numpy_seed": 1337, "pytorch_seed": 133}
DIAGNOSTICS = ("scorenn_ranking_accuracy", "score_term_ratio", "tasknn_cross_entropy",
               "tasknn_score_term", "scorenn_loss")
# Measures of structure the models report (test_<name> in metrics.json): does the energy
# teach the TaskNN the output's structure? Lower is more structured.
STRUCTURE = ("invalid_transition_rate", "unseen_label_set_rate")
SENTIMENT_BUDGET = Budget(train_size=None, epochs=2, batch_size=16)
QUICK_SIZE = 64


def add_arguments(parser) -> None:
    """The options `compare` adds for `--task` (it owns --model, --data-dir, --epochs, ...)."""
    parser.add_argument("--task", choices=sorted(all_tasks()),
                        help="compare SEAL with its cross-entropy baseline on this task over "
                             "--seeds seeds (without --task: the sentiment comparison of five runs)")
    parser.add_argument("--seeds", type=positive_int, default=3, help="with --task: seeds per run (default 3)")
    parser.add_argument("--variant", action="append", choices=VARIANTS,
                        help="with --task: train only this variant (repeatable)")
    parser.add_argument("--seal-overrides", default="",
                        help="with --task: JSON overrides of the SEAL config (allennlp -o syntax)")
    parser.add_argument("--baseline-overrides", default="",
                        help="with --task: JSON overrides of the baseline config")
    parser.add_argument("--seal-config", default=None,
                        help="with --task: the SEAL config to train instead of the task's own, a "
                             "name in training_configs/ or a path (e.g. one extending the task's "
                             "config, as seal_ner_alternating.jsonnet)")


def seeds_of(seed: int) -> Dict[str, int]:
    return {key: base + seed for key, base in SEED_BASES.items()}


def config_path(task: Task, variant: str, args=None) -> str:
    """The config a variant trains: the task's own, or `--seal-config` for SEAL."""
    from seal_adapters.cli.data_dir import repo_root

    configs = os.path.join(repo_root(), "training_configs")
    chosen = getattr(args, "seal_config", None) if variant == "seal" else None
    if chosen:
        return chosen if os.path.isfile(chosen) else os.path.join(configs, chosen)
    return os.path.join(configs, task.seal_config if variant == "seal" else task.baseline_config)


def check_seal_config(args) -> None:
    """`--seal-config` names a file, before any run starts."""
    if args.seal_config and not os.path.isfile(config_path(all_tasks()[args.task], "seal", args)):
        from seal_adapters.cli.data_dir import repo_root

        names = sorted(n for n in os.listdir(os.path.join(repo_root(), "training_configs"))
                       if n.endswith(".jsonnet"))
        raise SystemExit(f"error: --seal-config {args.seal_config} is neither a file nor a config "
                         f"in training_configs/ (there: {', '.join(names)})")


def build_run_config(task: Task, variant: str, seed: int, model: str, args,
                     data_dir: Optional[str] = None) -> Dict[str, Any]:
    """The resolved config of one run."""
    from allennlp.common import Params
    from allennlp.common.params import with_overrides

    from seal_adapters.cli.training_run import CALLBACK, _set_model_name, build_config, hidden_size

    overrides = args.seal_overrides if variant == "seal" else args.baseline_overrides
    path = config_path(task, variant, args)
    if task.data == "rt-polarity":
        size = QUICK_SIZE if args.quick else args.train_size
        budget = Budget(None if size in (None, "all") else size,
                        args.epochs or SENTIMENT_BUDGET.epochs,
                        args.batch_size or SENTIMENT_BUDGET.batch_size)
        config = build_config(path, model, data_dir, budget)
    else:
        ext_vars = {"SEAL_TRANSFORMER": model, "SEAL_HIDDEN_SIZE": str(hidden_size(model)),
                    **task.data_paths()}
        config = Params.from_file(path, ext_vars=ext_vars).as_dict(quiet=True)
        _set_model_name(config, model)
        if args.quick:
            # A plumbing check: 64 training instances rarely hold every label of 64 validation
            # ones, which the pre-training label check refuses, so --quick evaluates on its
            # training sample (its figures say nothing about generalisation).
            config["dataset_reader"]["max_instances"] = QUICK_SIZE
            for key in ("validation_data_path", "test_data_path"):
                if key in config:
                    config[key] = config["train_data_path"]
        trainer = config.setdefault("trainer", {})
        if args.epochs:
            trainer["num_epochs"] = args.epochs
        if args.batch_size:
            set_batch_size(config["data_loader"], args.batch_size)
        trainer["callbacks"] = [c for c in trainer.get("callbacks", []) if c != CALLBACK] + [CALLBACK]
    if overrides:
        try:
            config = with_overrides(config, json.loads(overrides))
        except ValueError as error:
            raise SystemExit(f"error: the {variant} overrides are not valid JSON overrides "
                             f"({error}): give e.g. '{{\"model.score_loss_weight\": 0.3}}'")
    config.update(seeds_of(seed))
    return config


def set_batch_size(loader: Dict[str, Any], batch_size: int) -> None:
    """The training batch size, inside `repeat_each_batch` and bucket samplers too."""
    node = loader
    while isinstance(node, dict):
        if "batch_size" in node:
            node["batch_size"] = batch_size
        node = node.get("batch_sampler")


def batching(config: Dict[str, Any]) -> str:
    """How a run draws its training batches, as a comparison must match them: `repeat_each_batch`
    (each batch once per turn of an alternating schedule) is the same batches, shown apart."""
    node, repeated = config.get("data_loader", {}), ""
    if node.get("batch_sampler", {}).get("type") == "repeat_each_batch":
        node = node["batch_sampler"]
        repeated = f", each repeated {node.get('times', 2)}x"
        if "batch_size" in node:  # repeat_each_batch's own batches are shuffled ones
            return f"shuffled of {node['batch_size']}{repeated}"
    sampler = node.get("batch_sampler", node)
    kind = ("length buckets" if sampler.get("type") == "bucket"
            else "shuffled" if node.get("shuffle") else "in file order")
    return f"{kind} of {sampler.get('batch_size')}{repeated}"


def batching_note(batches: Dict[str, str]) -> Optional[str]:
    """A warning when SEAL and the baseline do not train on batches drawn alike."""
    def drawn(text):
        return text.split(", each repeated")[0]

    if len({drawn(b) for b in batches.values()}) < 2:
        return None
    return ("the runs do not train on batches drawn alike (" + "; ".join(
        f"{variant}: {b}" for variant, b in batches.items()) + "): part of the difference may be "
        "the batches, not SEAL. Give both the same data_loader (e.g. --seal-overrides "
        "'{\"data_loader\": {\"batch_size\": 32, \"shuffle\": true}}').")


def check_reused_config(directory: str, config: Dict[str, Any]) -> None:
    """A finished run is reused only if it was trained with the config this comparison would
    train (else a report would mix runs of another config under this one's name)."""
    with open(os.path.join(directory, "config.json")) as handle:
        saved = json.load(handle)
    wanted = json.loads(json.dumps(config))
    changed = sorted(key for key in set(saved) | set(wanted) if saved.get(key) != wanted.get(key))
    if changed:
        raise SystemExit(
            f"error: {directory} is a finished run of another config (it differs in {changed}); it "
            "would be reported as this comparison's. Use another -o, or --retrain to train it again.")


def run_dir(output_dir: str, variant: str, seed: int) -> str:
    return os.path.join(output_dir, variant, f"seed_{seed}")


def command_line(args) -> str:
    """How to make these results again (the flags that change them)."""
    task = all_tasks()[args.task]
    data = ([f"{name}={value or chr(39) * 2}" for name, value in task.data_paths().items()]
            if task.data is None else [])  # the user's files, from the environment
    parts = data + ["python -m seal_adapters compare", f"--task {args.task}", f"--seeds {args.seeds}"]
    for flag in ("epochs", "batch_size", "train_size"):
        value = getattr(args, flag, None)
        if value:
            parts.append(f"--{flag.replace('_', '-')} {value}")
    if getattr(args, "seal_config", None):
        parts.append(f"--seal-config {args.seal_config}")
    for flag in ("seal_overrides", "baseline_overrides"):
        value = getattr(args, flag)
        if value:
            parts.append(f"--{flag.replace('_', '-')} '{value}'")
    if args.quick:
        parts.append("--quick")
    parts.append(f"-o {args.output_dir}")
    return " ".join(parts)


def mean_std(values: List[float]) -> Dict[str, Optional[float]]:
    if not values:
        return {"mean": None, "std": None}
    return {"mean": statistics.fmean(values),
            "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def collect(task: Task, output_dir: str, seeds: int) -> Dict[str, Any]:
    """Per-variant per-seed results of the finished runs in `output_dir`."""
    from seal_adapters.reporting.run_metrics import read_run

    variants: Dict[str, Any] = {}
    for variant in VARIANTS:
        per_seed: Dict[str, Any] = {}
        for seed in range(1, seeds + 1):
            directory = run_dir(output_dir, variant, seed)
            if not os.path.isfile(os.path.join(directory, "model.tar.gz")):
                continue
            run = read_run(directory)
            entry = {"test": run.final.get("test_" + task.metric),
                     "best_validation": run.final.get("best_validation_" + task.metric),
                     "best_epoch": run.final.get("best_epoch"),
                     "epochs": len(run.epochs),
                     "training_seconds": run.training_seconds,
                     "directory": directory}
            structure = {name: run.final["test_" + name] for name in STRUCTURE
                         if isinstance(run.final.get("test_" + name), (int, float))}
            if structure:
                entry["structure"] = structure
            diagnostics = {name: [e.get("training_" + name) for e in run.epochs]
                           for name in DIAGNOSTICS if any("training_" + name in e for e in run.epochs)}
            if diagnostics:
                entry["diagnostics_per_epoch"] = diagnostics
            per_seed[str(seed)] = entry
        values = [e["test"] for e in per_seed.values() if isinstance(e["test"], (int, float))]
        variants[variant] = {"seeds": per_seed, "n": len(values), **mean_std(values)}
        for name in STRUCTURE:
            measured = [e["structure"][name] for e in per_seed.values() if name in e.get("structure", {})]
            if measured:
                variants[variant].setdefault("structure", {})[name] = mean_std(measured)
    return variants


def welch(seal: List[float], baseline: List[float]) -> Dict[str, Optional[float]]:
    """Welch's t statistic of SEAL minus cross-entropy and its two-sided p value (scipy's
    `ttest_ind` without assuming equal variances); None below two seeds a side or with no
    spread at all."""
    if len(seal) < 2 or len(baseline) < 2 or (statistics.stdev(seal) == 0 and statistics.stdev(baseline) == 0):
        return {"welch_t": None, "p_value": None}
    from scipy import stats

    result = stats.ttest_ind(seal, baseline, equal_var=False)
    return {"welch_t": float(result.statistic), "p_value": float(result.pvalue)}


def test_values(variant: Dict[str, Any]) -> List[float]:
    return [e["test"] for e in variant["seeds"].values() if isinstance(e["test"], (int, float))]


def verdicts(variants: Dict[str, Any]) -> Dict[str, Any]:
    seal, baseline = variants["seal"], variants["cross_entropy"]
    out: Dict[str, Any] = {"cross_entropy_mean": baseline["mean"], "seal_mean": seal["mean"],
                           "seeds": {"seal": seal["n"], "cross_entropy": baseline["n"]}}
    out["seal_minus_cross_entropy"] = (
        100 * (seal["mean"] - baseline["mean"]) if None not in (seal["mean"], baseline["mean"]) else None)
    out.update(welch(test_values(seal), test_values(baseline)))
    last = [e["diagnostics_per_epoch"] for e in seal["seeds"].values() if "diagnostics_per_epoch" in e]
    for name in ("scorenn_ranking_accuracy", "score_term_ratio"):
        finals = [d[name][-1] for d in last if name in d and d[name][-1] is not None]
        if finals:
            out[f"seal_final_{name}_mean"] = statistics.fmean(finals)
    return out


def fmt(value, digits=4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown(report: Dict[str, Any]) -> str:
    seeds = report["seeds_asked"]
    lines = [f"# {report['title']}", "",
             f"- model: {report['model']}; machine: {report['machine']}; date: {report['date']}",
             f"- metric: {report['metric_label']} (`test_{report['metric']}` in metrics.json), "
             f"{seeds} seed(s) per run",
             f"- command: `{report['command']}`", "",
             "| run | config | " + " | ".join(f"seed {k}" for k in range(1, seeds + 1))
             + " | mean | std | epochs | time per run |",
             "|---|---|" + "---|" * (seeds + 4)]
    for variant, data in report["runs"].items():
        cells = [fmt(data["seeds"].get(str(k), {}).get("test")) for k in range(1, seeds + 1)]
        times = [e["training_seconds"] for e in data["seeds"].values() if e.get("training_seconds")]
        epochs = sorted({e["epochs"] for e in data["seeds"].values()})
        lines.append(f"| {variant} | `{data['config']}` | " + " | ".join(cells)
                     + f" | {fmt(data['mean'])} | {fmt(data['std'])} | "
                     + f"{'/'.join(map(str, epochs)) or '-'} | "
                     + (f"{statistics.fmean(times) / 60:.1f} min" if times else "-") + " |")
    v = report["verdicts"]
    lines += ["", f"**SEAL - cross-entropy: {fmt(v['seal_minus_cross_entropy'], 2)} points** "
              f"(cross-entropy mean {fmt(v['cross_entropy_mean'])}, SEAL mean {fmt(v['seal_mean'])}; "
              f"Welch t {fmt(v.get('welch_t'), 2)}, two-sided p {fmt(v.get('p_value'), 3)})."]
    measured = [name for name in STRUCTURE
                if any(name in data.get("structure", {}) for data in report["runs"].values())]
    if measured:
        lines += ["", "Structure of the TaskNN's test predictions (lower = more structured; "
                  "per seed, then mean ± std):", "",
                  "| measure | run | " + " | ".join(f"seed {k}" for k in range(1, seeds + 1))
                  + " | mean ± std |", "|---|---|" + "---|" * (seeds + 1)]
        for name in measured:
            for variant, data in report["runs"].items():
                cells = [fmt(data["seeds"].get(str(k), {}).get("structure", {}).get(name))
                         for k in range(1, seeds + 1)]
                summary = data.get("structure", {}).get(name, {})
                lines.append(f"| {name} | {variant} | " + " | ".join(cells) + f" | "
                             f"{fmt(summary.get('mean'))} ± {fmt(summary.get('std'))} |")
    seal = report["runs"]["seal"]["seeds"]
    if any("diagnostics_per_epoch" in e for e in seal.values()):
        lines += ["", "ScoreNN diagnostics of the SEAL runs, per epoch (training):", "",
                  "| seed | ranking accuracy | score-term ratio | scorenn loss |", "|---|---|---|---|"]
        for seed, entry in sorted(seal.items()):
            d = entry.get("diagnostics_per_epoch", {})
            row = [", ".join(fmt(x, 3) for x in d.get(name, [])) or "-"
                   for name in ("scorenn_ranking_accuracy", "score_term_ratio", "scorenn_loss")]
            lines.append(f"| {seed} | " + " | ".join(row) + " |")
    if report.get("batches_warning"):
        lines += ["", f"**Warning:** {report['batches_warning']}"]
    for variant, overrides in report["overrides"].items():
        if overrides:
            lines += ["", f"{variant} overrides: `{overrides}`"]
    return "\n".join(lines) + "\n"


def plot(report: Dict[str, Any], output_dir: str) -> None:
    from seal_adapters.reporting.figure import pyplot, save

    plt = pyplot()
    figure, axis = plt.subplots(figsize=(5, 4))
    for index, (variant, data) in enumerate(report["runs"].items()):
        values = [e["test"] for e in data["seeds"].values() if isinstance(e["test"], (int, float))]
        if not values:
            continue
        axis.bar(index, data["mean"], color=("tab:orange", "tab:blue")[index], alpha=0.5,
                 yerr=data["std"], capsize=6, label=f"{variant}: {data['mean']:.4f} ± {data['std']:.4f}")
        axis.scatter([index] * len(values), values, color="black", zorder=3, s=18)
    axis.set_xticks(range(len(report["runs"])))
    axis.set_xticklabels(list(report["runs"]))
    axis.set_ylabel(report["metric_label"])
    axis.set_title(f"{report['task']}: mean ± std, dots = seeds", fontsize=10)
    axis.legend(fontsize=8)
    axis.grid(axis="y", alpha=0.3)
    save(figure, os.path.join(output_dir, "comparison.png"))

    seal = report["runs"]["seal"]["seeds"]
    if not any("diagnostics_per_epoch" in e for e in seal.values()):
        return
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for seed, entry in sorted(seal.items()):
        d = entry.get("diagnostics_per_epoch", {})
        for axis, name in zip(axes, ("scorenn_ranking_accuracy", "score_term_ratio")):
            values = d.get(name) or []
            axis.plot(range(1, len(values) + 1), values, "o-", label=f"seed {seed}")
            axis.set_title(name, fontsize=10)
            axis.set_xlabel("epoch")
    axes[0].axhline(0.5, color="gray", linestyle=":", label="chance")
    for axis in axes:
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    save(figure, os.path.join(output_dir, "diagnostics.png"))


def write_report(task: Task, args, model: str, batches: Dict[str, str]) -> Dict[str, Any]:
    from seal_adapters.cli.data_dir import repo_root
    from seal_adapters.reporting.curves import plot_training_curves
    from seal_adapters.reporting.run_metrics import read_run

    variants = collect(task, args.output_dir, args.seeds)
    runs = {variant: {"config": os.path.relpath(config_path(task, variant, args), repo_root()),
                      **data} for variant, data in variants.items()}
    report = {
        "task": task.name, "title": f"SEAL vs cross-entropy: {task.title}",
        "metric": task.metric, "metric_label": task.metric_label,
        "model": model_label(model), "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), no GPU",
        "seeds_asked": args.seeds, "command": command_line(args),
        "overrides": {"seal": args.seal_overrides, "cross_entropy": args.baseline_overrides},
        "runs": runs, "verdicts": verdicts(variants),
    }
    report["batches"] = batches  # how each variant draws its batches (run(), seed 1's config)
    report["batches_warning"] = batching_note(batches)
    os.makedirs(args.output_dir, exist_ok=True)
    write_atomically(os.path.join(args.output_dir, "comparison.json"), json.dumps(report, indent=2))
    text = markdown(report)
    write_atomically(os.path.join(args.output_dir, "comparison.md"), text)
    plot(report, args.output_dir)
    for variant, data in runs.items():
        for seed, entry in data["seeds"].items():
            plot_training_curves(read_run(entry["directory"]),
                                 os.path.join(args.output_dir, f"curves_{variant}_seed_{seed}.png"),
                                 f"{variant}, seed {seed}: {task.name}", metric=task.metric)
    print("\n" + text)
    return report


def write_atomically(path: str, text: str) -> None:
    scratch = path + ".tmp"
    with open(scratch, "w") as handle:
        handle.write(text)
    os.replace(scratch, path)


def run(args) -> int:
    from seal_adapters.cli.demo import choose_model
    from seal_adapters.cli.training_run import train

    sys.stdout.reconfigure(line_buffering=True)
    task = all_tasks()[args.task]
    if args.seeds < 1:
        raise SystemExit(f"error: --seeds must be at least 1, got {args.seeds}")
    check_seal_config(args)
    if args.output_dir is None:
        args.output_dir = os.path.join("runs", f"compare-{task.name}" + ("-quick" if args.quick else ""))
    data_dir = None
    if task.data == "rt-polarity":
        from seal_adapters.cli.data_dir import resolve_data_dir

        data_dir = resolve_data_dir(args.data_dir)
    model = choose_model(args, args.output_dir)
    started = time.time()
    variants = [v for v in VARIANTS if not args.variant or v in args.variant]
    batches = {v: batching(build_run_config(task, v, 1, model, args, data_dir)) for v in VARIANTS}
    note = batching_note(batches)
    if note:
        print(f"warning: {note}")
    print(f"Comparing SEAL with cross-entropy on {task.title}: {args.seeds} seed(s), "
          f"{model_label(model)}; runs in {args.output_dir}")
    for seed in range(1, args.seeds + 1):
        for variant in variants:
            directory = run_dir(args.output_dir, variant, seed)
            action = prepare(directory, args.retrain, args.recover)
            config = build_run_config(task, variant, seed, model, args, data_dir)
            if action == "reuse":
                check_reused_config(directory, config)
                print(f"\n[{variant} seed {seed}] {directory} is finished with this config: reusing it")
                continue
            print(f"\n[{variant} seed {seed}] {config_path(task, variant, args)} -> {directory}")
            status = train(config, directory, recover=action == "recover", force=action == "retrain")
            if status != 0:
                print(f"error: {variant} seed {seed} failed (exit {status}); see "
                      f"{os.path.join(directory, 'out.log')}")
                return status
    write_report(task, args, model, batches)
    print(f"Comparison finished in {(time.time() - started) / 60:.1f} min; wrote comparison.json, "
          f"comparison.md and plots in {args.output_dir}")
    return 0

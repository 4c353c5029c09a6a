"""`demo`: a new user's first real run, offline on a laptop-class CPU.

Trains `training_configs/seal_sentiment.jsonnet` (SEAL: a scorenn and a tasknn adapter on
one frozen transformer, trained jointly: each step trains both, each by its own loss) on the
sentence polarity data with the bundled pretrained MiniLM-L6, evaluates on the full standard
test split (1,066 sentences), predicts a few example sentences and draws the training
curves. The default budget, one epoch over the 8,530 training sentences at batch 16 (one step
per batch trains both sides), keeps the whole demo under 10 minutes on 2 CPU cores;
`--epochs`, `--train-size` (the first N sentences) and `--batch-size` change it.

A finished run in the serialization directory is reused, never silently replaced:
`--retrain` starts over (deleting it), `--recover` resumes an interrupted one.
`--quick` runs the same pipeline on a tiny random transformer, as a smoke test.
"""
import argparse
import os
import sys
import time

from seal_adapters.cli.data_dir import repo_root, resolve_data_dir
from seal_adapters.cli.training_run import Budget, model_label, prepare

DEFAULT_CONFIG = os.path.join("training_configs", "seal_sentiment.jsonnet")
DEFAULT_BUDGET = Budget(train_size=None, epochs=1, batch_size=16)
QUICK_BUDGET = Budget(train_size=64, epochs=1, batch_size=16)
EXAMPLES = (
    "a gripping , beautifully acted film that stays with you long after the credits roll .",
    "a tedious , predictable mess with nothing new to say and no reason to say it .",
    "the performances are wonderful , but the script is a muddled bore .",
    "it's not a great movie , but it is an entertaining one .",
)


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1 (argparse names the flag in its error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def train_size(text: str):
    """A positive int, or "all" for the whole training split."""
    return "all" if text.lower() == "all" else positive_int(text)


def add_budget_arguments(parser, default: Budget) -> None:
    parser.add_argument("--train-size", type=train_size, default=None,
                        help=f"first N training sentences, or 'all' (default {default.train_size or 'all'})")
    parser.add_argument("--epochs", type=positive_int, default=None, help=f"default {default.epochs}")
    parser.add_argument("--batch-size", type=positive_int, default=None, help=f"default {default.batch_size}")


def budget_of(args, default: Budget) -> Budget:
    size = default.train_size if args.train_size is None else args.train_size
    return Budget(train_size=None if size == "all" else size,
                  epochs=args.epochs or default.epochs, batch_size=args.batch_size or default.batch_size)


def add_arguments(parser):
    parser.add_argument("--data-dir", help="directory with rt-polarity.pos and rt-polarity.neg "
                        "(default: $SEAL_DATA_DIR, else ../shared/data/rt-polarity)")
    parser.add_argument("--model", help="local Hugging Face model dir or hub name "
                        "(default: the bundled MiniLM-L6)")
    parser.add_argument("--config", default=None, help=f"training config (default: {DEFAULT_CONFIG})")
    parser.add_argument("-s", "--serialization-dir", default=None,
                        help="where the run goes (default: runs/demo; with --quick runs/demo-quick)")
    add_budget_arguments(parser, DEFAULT_BUDGET)
    parser.add_argument("--retrain", action="store_true",
                        help="train again even if the serialization dir holds a run (deletes it)")
    parser.add_argument("--recover", action="store_true", help="resume an interrupted run")
    parser.add_argument("--quick", action="store_true",
                        help="the same pipeline on a tiny random transformer and 64 sentences")


def choose_model(args, serialization_dir: str) -> str:
    from seal_adapters.embedders.model_source import resolve_model_name

    if not args.quick:
        return resolve_model_name(args.model)
    from seal_adapters.testing.tiny_models import build_tiny_bert

    directory = os.path.join(os.path.dirname(os.path.abspath(serialization_dir)), "tiny-bert")
    if not os.path.isfile(os.path.join(directory, "config.json")):
        build_tiny_bert(directory)
    return directory


def predict_examples(serialization_dir: str, sentences=EXAMPLES) -> None:
    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    from seal_adapters.cli.predict import summary

    predictor = Predictor.from_archive(load_archive(os.path.join(serialization_dir, "model.tar.gz")))
    print("\nPredictions (label, probability):")
    for sentence in sentences:
        print(f"  {summary(predictor.predict_json({'sentence': sentence})):<16} {sentence}")


def report(serialization_dir: str, title: str) -> None:
    from seal_adapters.reporting.curves import plot_training_curves
    from seal_adapters.reporting.run_metrics import read_run
    from seal_adapters.reporting.table import human_seconds

    run = read_run(serialization_dir)
    final = run.final
    print("\nResults:")
    for key in ("test_accuracy", "test_macro_f1", "best_validation_accuracy"):
        if isinstance(final.get(key), (int, float)):
            print(f"  {key:<26} {final[key]:.4f}")
    print(f"  {'training time':<26} {human_seconds(run.training_seconds)}")
    if run.peak_memory_mb:
        print(f"  {'peak memory (RSS)':<26} {run.peak_memory_mb:,.0f} MB")
    plot = plot_training_curves(run, os.path.join(serialization_dir, "training_curves.png"), title)
    print("\nFiles:")
    for path, what in ((os.path.join(serialization_dir, "metrics.json"), "test and validation metrics"),
                       (os.path.join(serialization_dir, "model.tar.gz"),
                        "the archive: allennlp evaluate/predict, python -m seal_adapters list/export/predict"),
                       (plot, "training curves"),
                       (os.path.join(serialization_dir, "out.log"), "the full training log")):
        print(f"  {path}  ({what})")


def run(args):
    sys.stdout.reconfigure(line_buffering=True)  # keep our lines in order with allennlp's
    started = time.time()
    data_dir = resolve_data_dir(args.data_dir)
    root = repo_root()
    serialization_dir = args.serialization_dir or os.path.join("runs", "demo-quick" if args.quick else "demo")
    config = args.config or os.path.join(root, DEFAULT_CONFIG)
    budget = budget_of(args, QUICK_BUDGET if args.quick else DEFAULT_BUDGET)
    action = prepare(serialization_dir, args.retrain, args.recover)
    model = choose_model(args, serialization_dir)
    if action == "reuse":
        print(f"{serialization_dir} already holds a finished run: showing it (pass --retrain to "
              "train again, which replaces it).")
    else:
        from seal_adapters.cli.training_run import build_config, train

        print(f"Training SEAL dual adapters (scorenn + tasknn, joint steps) on {model_label(model)}\n"
              f"  model {model}\n"
              f"  config {os.path.relpath(config)}, data {data_dir}\n"
              f"  budget: {budget.describe()}; evaluation on the full test split (1,066 sentences)")
        if not args.quick:
            print("  (a short budget so the demo takes under 10 minutes on 2 CPU cores; --epochs, "
                  "--train-size and --batch-size change it)")
        status = train(build_config(config, model, data_dir, budget), serialization_dir,
                       recover=action == "recover", force=action == "retrain")
        if status != 0:
            print(f"error: training failed (exit {status}); see {os.path.join(serialization_dir, 'out.log')}")
            return status
    predict_examples(serialization_dir)
    report(serialization_dir, f"SEAL dual adapters on {model_label(model)}, rt-polarity")
    print(f"\nDemo finished in {(time.time() - started) / 60:.1f} min.")
    return 0

"""The report writers on synthetic runs: files exist, PNGs are real images, numbers appear."""
import json
import os

import pytest

from seal_adapters.reporting.bars import plot_comparison
from seal_adapters.reporting.batch_history import step_value
from seal_adapters.reporting.curves import plot_training_curves
from seal_adapters.reporting.run_metrics import duration_seconds, read_run
from seal_adapters.reporting.table import markdown_table, write_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write_run(directory, epochs=3, steps_per_epoch=10, history=True):
    """A finished allennlp run directory as `allennlp train` + `batch_history` leave it."""
    os.makedirs(directory, exist_ok=True)
    step = 0
    rows = []
    for epoch in range(epochs):
        for batch in range(1, steps_per_epoch + 1):
            step += 1
            rows.append({"step": step, "epoch": epoch, "batch": batch, "seconds": step * 1.5,
                         "adapter": "scorenn" if step % 2 else "tasknn",
                         "tasknn_loss": 1.0 / step, "scorenn_loss": 2.0 / step + 0.1,
                         "running_accuracy": 0.5 + 0.3 * batch / steps_per_epoch})
        metrics = {"epoch": epoch, "training_loss": 3.0 - epoch, "training_tasknn_loss": 1.0 - 0.2 * epoch,
                   "training_scorenn_loss": 2.0 - 0.5 * epoch, "training_accuracy": 0.6 + 0.1 * epoch,
                   "validation_accuracy": 0.7 + 0.05 * epoch, "validation_loss": 0.6 - 0.1 * epoch}
        with open(os.path.join(directory, f"metrics_epoch_{epoch}.json"), "w") as handle:
            json.dump(metrics, handle)
    final = dict(metrics, test_accuracy=0.8312, best_validation_accuracy=0.8,
                 training_duration="0:03:12.500000", peak_worker_0_memory_MB=900.0)
    with open(os.path.join(directory, "metrics.json"), "w") as handle:
        json.dump(final, handle)
    if history:
        with open(os.path.join(directory, "batch_history.jsonl"), "w") as handle:
            handle.writelines(json.dumps(row) + "\n" for row in rows)
        with open(os.path.join(directory, "resources.json"), "w") as handle:
            json.dump({"peak_rss_mb": 1234.5}, handle)
    return directory


def assert_png(path, min_bytes=10_000):
    with open(path, "rb") as handle:
        data = handle.read()
    assert data[:8] == PNG_MAGIC
    assert len(data) > min_bytes


def test_read_run_collects_epochs_steps_and_memory(tmp_path):
    run = read_run(write_run(str(tmp_path / "run"), epochs=12))
    assert [e["epoch"] for e in run.epochs] == list(range(12))  # numeric, not text, order
    assert len(run.steps) == 120 and run.steps[0]["adapter"] == "scorenn"
    assert run.test_accuracy == 0.8312
    assert run.training_seconds == pytest.approx(192.5)
    assert run.peak_memory_mb == 1234.5  # the callback's reading beats allennlp's 900


def test_read_run_without_history_falls_back_to_allennlp(tmp_path):
    run = read_run(write_run(str(tmp_path / "run"), history=False))
    assert run.steps == [] and run.peak_memory_mb == 900.0
    with pytest.raises(FileNotFoundError, match="has not finished"):
        read_run(str(tmp_path / "missing"))


@pytest.mark.parametrize("text, seconds", [("0:03:12.500000", 192.5), ("1:00:00", 3600.0),
                                           ("2 days, 0:00:01", 172801.0), (None, None), ("?", None)])
def test_duration_seconds(text, seconds):
    assert duration_seconds(text) == seconds


def test_step_value_recovers_each_step_from_running_means():
    values = [4.0, 2.0, 6.0, 1.0]
    previous, recovered = None, []
    for count, _ in enumerate(values, start=1):
        mean = sum(values[:count]) / count
        recovered.append(step_value(mean, count, previous))
        previous = (mean, count)
    assert recovered == pytest.approx(values)


@pytest.mark.parametrize("history", [True, False])
def test_training_curves_png(tmp_path, history):
    run = read_run(write_run(str(tmp_path / "run"), history=history))
    path = plot_training_curves(run, str(tmp_path / "curves.png"), "synthetic")
    assert_png(path)


ROWS = [
    {"name": "seal", "run": "SEAL dual adapters", "test_accuracy": 0.8312, "trainable_parameters": 150_000,
     "total_parameters": 22_863_000, "saved_bytes": 600_000, "full_model_bytes": 91_000_000,
     "training_seconds": 312.0, "peak_memory_mb": 1500.0},
    {"name": "full_finetune", "run": "full fine-tuning", "test_accuracy": 0.8401,
     "trainable_parameters": 22_713_000, "total_parameters": 22_713_000, "saved_bytes": 91_000_000,
     "full_model_bytes": 91_000_000, "training_seconds": 75.0, "peak_memory_mb": 2100.0},
    {"name": "broken", "run": "not measured", "test_accuracy": None},
]


def test_table_json_and_markdown_hold_the_numbers(tmp_path):
    paths = write_table(str(tmp_path), ROWS, {"title": "T", "budget": "64 sentences"}, ["a note"])
    data = json.load(open(paths["json"]))
    assert data["runs"][0]["test_accuracy"] == 0.8312 and data["meta"]["budget"] == "64 sentences"
    text = open(paths["markdown"]).read()
    for expected in ("| SEAL dual adapters | 0.8312 | 150,000 (0.66%) | 585.9 KB | 86.8 MB | 5m 12s | 1,500 MB |",
                     "| full fine-tuning | 0.8401 | 22,713,000 (100.00%) |", "| not measured | - |",
                     "budget: 64 sentences", "- a note"):
        assert expected in text
    assert markdown_table(ROWS).count("\n") == len(ROWS) + 1


def test_comparison_bar_chart_png(tmp_path):
    assert_png(plot_comparison(ROWS, str(tmp_path / "comparison.png"), "synthetic"))

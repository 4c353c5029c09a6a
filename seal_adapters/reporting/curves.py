"""Training curves of one run: each side's loss per step with the alternation shown, and
validation accuracy per epoch."""
from typing import Dict, List, Optional

from seal_adapters.reporting.figure import pyplot, save
from seal_adapters.reporting.run_metrics import RunMetrics

SIDE_COLORS = {"tasknn": "tab:blue", "scorenn": "tab:orange", "all": "tab:green"}
FALLBACK_COLORS = ("tab:purple", "tab:brown", "tab:pink", "tab:gray")


def moving_average(values: List[float], window: int) -> List[float]:
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def loss_keys(run: RunMetrics) -> List[str]:
    """Per-side losses (`tasknn_loss`, `scorenn_loss`, ...), else the total `batch_loss`."""
    keys = sorted({k for row in run.steps for k in row if k.endswith("loss") and k != "batch_loss"})
    return keys or (["batch_loss"] if any("batch_loss" in r for r in run.steps) else [])


def color_of(name: str, index: int) -> str:
    return SIDE_COLORS.get(name.replace("_loss", ""), FALLBACK_COLORS[index % len(FALLBACK_COLORS)])


def _plot_steps(axis, strip, run: RunMetrics) -> None:
    window = max(1, len(run.steps) // 40)
    for index, key in enumerate(loss_keys(run)):
        rows = [r for r in run.steps if key in r]
        steps, values = [r["step"] for r in rows], [r[key] for r in rows]
        color = color_of(key, index)
        axis.plot(steps, values, color=color, alpha=0.25, linewidth=0.8)
        axis.plot(steps, moving_average(values, window), color=color, linewidth=2,
                  label=f"{key} (moving average of {window})")
    adapters = list(dict.fromkeys(r["adapter"] for r in run.steps))
    for index, adapter in enumerate(adapters):
        steps = [r["step"] for r in run.steps if r["adapter"] == adapter]
        strip.vlines(steps, 0, 1, color=color_of(adapter, index), linewidth=1.0, label=adapter)
    strip.set_yticks([])
    strip.set_ylabel("trained", rotation=0, ha="right", va="center")
    strip.legend(loc="upper left", bbox_to_anchor=(1.0, 1.4), fontsize=8, title="adapter trained")
    for row in run.steps:  # epoch boundaries
        if row.get("batch") == 1 and row["step"] > 1:
            axis.axvline(row["step"] - 0.5, color="gray", linestyle=":", linewidth=1)


def _plot_epoch_losses(axis, run: RunMetrics) -> None:
    keys = sorted({k for e in run.epochs for k in e if k.startswith("training_") and k.endswith("loss")})
    for index, key in enumerate(keys):
        epochs = [e["epoch"] + 1 for e in run.epochs if key in e]
        axis.plot(epochs, [e[key] for e in run.epochs if key in e], marker="o",
                  color=color_of(key[len("training_"):], index), label=key)


def _plot_accuracy(axis, run: RunMetrics, metric: str) -> None:
    from matplotlib.ticker import MaxNLocator

    for prefix, style in (("validation_", "-o"), ("training_", "--s")):
        points = [(e["epoch"] + 1, e[prefix + metric]) for e in run.epochs if prefix + metric in e]
        if points:
            axis.plot(*zip(*points), style, label=f"{prefix[:-1]} {metric}")
    test = run.final.get("test_" + metric)
    if isinstance(test, (int, float)):
        axis.axhline(test, color="black", linestyle="--", linewidth=1, label=f"test {metric} {test:.4f}")
    axis.set_xlabel("epoch")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_ylabel(metric)
    axis.legend(fontsize=8)
    axis.grid(alpha=0.3)


def plot_training_curves(run: RunMetrics, path: str, title: Optional[str] = None,
                         metric: str = "accuracy") -> str:
    """Writes the PNG at `path`: losses (per step if `batch_history` ran, else per epoch)
    over a strip of which adapter trained each step, and `metric` per epoch."""
    plt = pyplot()
    if run.steps:
        figure, (axis, strip, accuracy) = plt.subplots(
            3, 1, figsize=(9, 7), gridspec_kw={"height_ratios": [4, 0.5, 2.5]})
        _plot_steps(axis, strip, run)
        strip.sharex(axis)
        axis.set_xlabel("")
        strip.set_xlabel("optimizer step")
    else:
        figure, (axis, accuracy) = plt.subplots(2, 1, figsize=(9, 6))
        _plot_epoch_losses(axis, run)
        axis.set_xlabel("epoch")
    axis.set_ylabel("loss")
    axis.legend(fontsize=8)
    axis.grid(alpha=0.3)
    _plot_accuracy(accuracy, run, metric)
    axis.set_title(title or run.directory)
    figure.tight_layout()
    return save(figure, path)

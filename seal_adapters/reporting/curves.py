"""Training curves of one run: each side's loss per optimizer step over a strip showing
which adapter trained in that step (the alternation), and accuracy on the same axis:
running training accuracy, validation accuracy at each epoch's end, test accuracy."""
from typing import List, Optional

from seal_adapters.reporting.figure import pyplot, save
from seal_adapters.reporting.run_metrics import RunMetrics

SIDE_COLORS = {"tasknn": "tab:blue", "scorenn": "tab:orange", "all": "tab:green"}
FALLBACK_COLORS = ("tab:purple", "tab:brown", "tab:pink", "tab:gray")
STRIP_STEPS = 48


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


def epoch_end_steps(run: RunMetrics) -> dict:
    ends = {}
    for row in run.steps:
        ends[row["epoch"]] = max(ends.get(row["epoch"], 0), row["step"])
    return ends


def _plot_step_losses(axis, run: RunMetrics) -> None:
    window = max(5, len(run.steps) // 25)
    for index, key in enumerate(loss_keys(run)):
        rows = [r for r in run.steps if key in r]
        steps, values = [r["step"] for r in rows], [r[key] for r in rows]
        color = color_of(key, index)
        axis.plot(steps, values, color=color, alpha=0.25, linewidth=0.8)
        axis.plot(steps, moving_average(values, window), color=color, linewidth=2,
                  label=f"{key} (mean of {window} steps)")
    for end in list(epoch_end_steps(run).values())[:-1]:
        axis.axvline(end + 0.5, color="gray", linestyle=":", linewidth=1)
    axis.set_ylabel("loss per step")


def _plot_strip(strip, run: RunMetrics, shown: int = STRIP_STEPS) -> None:
    """Which adapter trained in each of the first `shown` steps (the schedule repeats), with
    each adapter's share of all steps in the legend."""
    first = run.steps[:shown]
    adapters = list(dict.fromkeys(r["adapter"] for r in run.steps))
    for index, adapter in enumerate(adapters):
        total = sum(1 for r in run.steps if r["adapter"] == adapter)
        steps = [r["step"] for r in first if r["adapter"] == adapter]
        strip.bar(steps, [1] * len(steps), width=0.9, color=color_of(adapter, index),
                  label=f"{adapter}: {total} of {len(run.steps)} steps")
    strip.set_yticks([])
    strip.set_xlim(first[0]["step"] - 0.5, first[-1]["step"] + 0.5)
    strip.set_xlabel(f"which adapter trained in steps {first[0]['step']}-{first[-1]['step']} "
                     "(the schedule repeats)", fontsize=9)
    strip.legend(loc="upper left", bbox_to_anchor=(1.0, 1.3), fontsize=8, title="adapter trained")


def _plot_step_accuracy(axis, run: RunMetrics, metric: str) -> None:
    running = [(r["step"], r["running_" + metric]) for r in run.steps if "running_" + metric in r]
    if running:
        axis.plot(*zip(*running), color="tab:gray", linewidth=1.2,
                  label=f"training {metric} (running, per epoch)")
    ends = epoch_end_steps(run)
    points = [(ends[e["epoch"]], e["validation_" + metric]) for e in run.epochs
              if "validation_" + metric in e and e.get("epoch") in ends]
    if points:
        axis.plot(*zip(*points), "o-", color="tab:red", label=f"validation {metric} (epoch end)")
    axis.set_xlabel("optimizer step")


def _plot_epoch_losses(axis, run: RunMetrics) -> None:
    keys = sorted({k for e in run.epochs for k in e if k.startswith("training_") and k.endswith("loss")})
    for index, key in enumerate(keys):
        points = [(e["epoch"] + 1, e[key]) for e in run.epochs if key in e]
        axis.plot(*zip(*points), marker="o", color=color_of(key[len("training_"):], index), label=key)
    axis.set_xlabel("epoch")
    axis.set_ylabel("loss per epoch")


def _plot_epoch_accuracy(axis, run: RunMetrics, metric: str) -> None:
    from matplotlib.ticker import MaxNLocator

    for prefix, style in (("validation_", "-o"), ("training_", "--s")):
        points = [(e["epoch"] + 1, e[prefix + metric]) for e in run.epochs if prefix + metric in e]
        if points:
            axis.plot(*zip(*points), style, label=f"{prefix[:-1]} {metric}")
    axis.set_xlabel("epoch")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))


def _finish_accuracy(axis, run: RunMetrics, metric: str) -> None:
    test = run.final.get("test_" + metric)
    if isinstance(test, (int, float)):
        axis.axhline(test, color="black", linestyle="--", linewidth=1, label=f"test {metric} {test:.4f}")
    axis.set_ylabel(metric)
    axis.legend(fontsize=8, loc="lower right")
    axis.grid(alpha=0.3)


DIAGNOSTICS = ("scorenn_ranking_accuracy", "score_term_ratio")


def has_diagnostics(run: RunMetrics) -> bool:
    return any("running_" + DIAGNOSTICS[0] in r for r in run.steps) or any(
        "training_" + DIAGNOSTICS[0] in e for e in run.epochs)


def _plot_diagnostics(axis, run: RunMetrics) -> None:
    """The ScoreNN's ranking accuracy (chance 0.5) and the score term's size against the
    cross-entropy, running per epoch (per step) or at each epoch's end."""
    for name, color in zip(DIAGNOSTICS, ("tab:orange", "tab:purple")):
        if run.steps:
            points = [(r["step"], r["running_" + name]) for r in run.steps if "running_" + name in r]
        else:
            points = [(e["epoch"] + 1, e["training_" + name]) for e in run.epochs
                      if "training_" + name in e]
        if points:
            axis.plot(*zip(*points), color=color, linewidth=1.5, label=name)
    axis.axhline(0.5, color="gray", linestyle=":", linewidth=1, label="chance ranking (0.5)")
    axis.set_ylabel("ScoreNN diagnostics")
    axis.legend(fontsize=8, loc="upper right")
    axis.grid(alpha=0.3)


def plot_training_curves(run: RunMetrics, path: str, title: Optional[str] = None,
                         metric: str = "accuracy") -> str:
    """Writes the PNG at `path`: per step if `batch_history` recorded the run, else per
    epoch from allennlp's metrics_epoch_N.json; with a ScoreNN panel when it trained."""
    plt = pyplot()
    diagnostics = has_diagnostics(run)
    if run.steps:
        ratios = [4, 3] + ([2.5] if diagnostics else []) + [0.6]
        figure, axes = plt.subplots(len(ratios), 1, figsize=(9, 8 + 2.5 * diagnostics),
                                    gridspec_kw={"height_ratios": ratios})
        losses, accuracy, strip = axes[0], axes[1], axes[-1]
        accuracy.sharex(losses)
        _plot_step_losses(losses, run)
        _plot_step_accuracy(accuracy, run, metric)
        _plot_strip(strip, run)
    else:
        axes = plt.subplots(2 + diagnostics, 1, figsize=(9, 6 + 2.5 * diagnostics))[1]
        figure = axes[0].figure
        losses, accuracy = axes[0], axes[1]
        _plot_epoch_losses(losses, run)
        _plot_epoch_accuracy(accuracy, run, metric)
    if diagnostics:
        axes[2].sharex(losses)
        _plot_diagnostics(axes[2], run)
    losses.legend(fontsize=8)
    losses.grid(alpha=0.3)
    _finish_accuracy(accuracy, run, metric)
    losses.set_title(title or run.directory)
    figure.tight_layout()
    return save(figure, path)

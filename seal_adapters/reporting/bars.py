"""Bar chart of the comparison table: one panel per measured quantity."""
from typing import Any, Dict, Sequence

from seal_adapters.reporting.figure import pyplot, save

PANELS = (
    ("test_accuracy", "test accuracy", 1.0, False),
    ("trainable_parameters", "trainable parameters", 1.0, True),
    ("saved_bytes", "saved on disk (MB)", 1 / 2 ** 20, True),
    ("training_seconds", "training time (min)", 1 / 60, False),
    ("peak_memory_mb", "peak memory RSS (MB)", 1.0, False),
)
COLORS = ("tab:blue", "tab:green", "tab:orange", "tab:red", "tab:purple", "tab:gray")


def compact(value: float) -> str:
    """22.7M, 150k, 1,500, 0.57: short labels for the bars."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def plot_comparison(rows: Sequence[Dict[str, Any]], path: str, title: str = "") -> str:
    plt = pyplot()
    figure, axes = plt.subplots(1, len(PANELS), figsize=(3.4 * len(PANELS), 4.2))
    names = [row["run"] for row in rows]
    colors = [COLORS[i % len(COLORS)] for i in range(len(rows))]
    for axis, (key, label, scale, log) in zip(axes, PANELS):
        values = [row.get(key) for row in rows]
        heights = [v * scale if isinstance(v, (int, float)) else 0 for v in values]
        bars = axis.bar(range(len(rows)), heights, color=colors)
        for bar, value, height in zip(bars, values, heights):
            text = "n/a" if value is None else (f"{height:.3f}" if key == "test_accuracy"
                                                else compact(height))
            axis.annotate(text, (bar.get_x() + bar.get_width() / 2, height), ha="center",
                          va="bottom", fontsize=8)
        if log and any(heights):
            axis.set_yscale("log")
        if key == "test_accuracy" and any(heights):
            low = min(h for h in heights if h) - 0.05
            axis.set_ylim(max(0.0, low), min(1.0, max(heights) + 0.03))
        axis.set_title(label, fontsize=10)
        axis.set_xticks(range(len(rows)))
        axis.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
        axis.grid(axis="y", alpha=0.3)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return save(figure, path)

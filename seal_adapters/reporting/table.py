"""The comparison table as JSON (every number, for tools) and Markdown (for people)."""
import json
import os
from typing import Any, Dict, List, Optional, Sequence

COLUMNS = (
    ("run", "run"),
    ("test_accuracy", "test accuracy"),
    ("trainable_parameters", "trainable params"),
    ("saved_bytes", "saved on disk"),
    ("full_model_bytes", "full model"),
    ("training_seconds", "training time"),
    ("peak_memory_mb", "peak memory (RSS)"),
)


def human_bytes(value: Optional[float]) -> str:
    if value is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if abs(value) < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(value)


def human_seconds(value: Optional[float]) -> str:
    if value is None:
        return "-"
    minutes, seconds = divmod(int(round(value)), 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def cell(key: str, row: Dict[str, Any]) -> str:
    value = row.get(key)
    if value is None:
        return "-"
    if key == "test_accuracy":
        return f"{value:.4f}"
    if key == "trainable_parameters":
        total = row.get("total_parameters")
        share = f" ({100 * value / total:.2f}%)" if total else ""
        return f"{value:,}{share}"
    if key in ("saved_bytes", "full_model_bytes"):
        return human_bytes(value)
    if key == "training_seconds":
        return human_seconds(value)
    if key == "peak_memory_mb":
        return f"{value:,.0f} MB"
    return str(value)


def markdown_table(rows: Sequence[Dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |",
             "|" + "|".join("---" if key == "run" else "---:" for key, _ in COLUMNS) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell(key, row) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def write_table(directory: str, rows: List[Dict[str, Any]], meta: Dict[str, Any],
                notes: Sequence[str] = (), name: str = "comparison") -> Dict[str, str]:
    """Writes `<name>.json` ({"meta", "runs"}) and `<name>.md`; returns their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = {"json": os.path.join(directory, f"{name}.json"),
             "markdown": os.path.join(directory, f"{name}.md")}
    with open(paths["json"], "w") as handle:
        json.dump({"meta": meta, "runs": rows}, handle, indent=2)
    setting = ", ".join(f"{key}: {value}" for key, value in meta.items() if key != "title")
    text = [f"# {meta.get('title', 'Comparison')}", "", setting, "", markdown_table(rows), ""]
    text += [f"- {note}" for note in notes]
    with open(paths["markdown"], "w") as handle:
        handle.write("\n".join(text).rstrip() + "\n")
    return paths

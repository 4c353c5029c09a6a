"""What a new user sees of `allennlp train`: its progress bars, the per-epoch summary of
the `adapter_schedule` callback, warnings and errors; the parameter dump and the other
INFO lines still go to the run's `out.log`. On failure the raw tail is shown."""
import os
import re
import subprocess
import sys
import time
from collections import deque
from typing import IO, List, Optional

PROGRESS = re.compile(r"(\d+it \[|\d+/\d+ \[|it/s\]|s/it\])")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ - (\w+) - ([\w.]+) - (.*)$")
SHOWN_INFO = (
    ("seal_adapters.training.adapter_schedule", re.compile(r"^epoch \d+ \|")),
    ("seal_adapters.reporting.batch_history", re.compile(r"^epoch \d+ \|")),
    ("allennlp.commands.train", re.compile(r"evaluated using the best epoch")),
)
QUIET_WARNINGS = (re.compile(r"patience was set to None"),)


def shown(segment: str) -> Optional[str]:
    """The text to print for one output segment, or None to keep it out of the terminal."""
    text = segment.strip()
    if not text:
        return None
    match = LOG_LINE.match(text)
    if match:
        level, logger, message = match.groups()
        if level in ("WARNING", "ERROR", "CRITICAL"):
            return None if any(p.search(message) for p in QUIET_WARNINGS) else f"{level}: {message}"
        if any(logger == name and pattern.search(message) for name, pattern in SHOWN_INFO):
            return message
        return None
    if PROGRESS.search(text):
        return text
    return None


def split_segments(buffer: str):
    """Complete segments ending in \\r or \\n (tqdm redraws with \\r), and the rest."""
    parts: List[str] = re.split(r"(\r\n|\r|\n)", buffer)
    segments = ["".join(pair) for pair in zip(parts[0:-1:2], parts[1::2])]
    return segments, parts[-1]


def run_filtered(command: List[str], env: dict, terminal: IO = None, tail: int = 60,
                 progress_every: float = 30.0) -> int:
    """Runs `command`, printing what `shown` keeps; returns its exit status. On a terminal
    progress bars redraw in place; elsewhere (a log file) one every `progress_every` s."""
    terminal = terminal or sys.stderr
    redraw = terminal.isatty()
    recent = deque(maxlen=tail)
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    buffer, progress_open, last_progress = "", False, 0.0
    while True:
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            break
        segments, buffer = split_segments(buffer + chunk.decode("utf-8", "replace"))
        for segment in segments:
            recent.append(segment.rstrip("\r\n"))
            text = shown(segment)
            if text is None:
                continue
            is_progress = LOG_LINE.match(segment.strip()) is None
            if is_progress and redraw:
                terminal.write("\r" + text[:200].ljust(120))
                progress_open = True
            elif is_progress and time.time() - last_progress < progress_every:
                continue
            else:
                last_progress = time.time() if is_progress else last_progress
                terminal.write(("\n" if progress_open else "") + text + "\n")
                progress_open = False
            terminal.flush()
    if progress_open:
        terminal.write("\n")
    status = process.wait()
    if status != 0:
        terminal.write("---- last lines of the training output ----\n" + "\n".join(recent) + "\n")
    return status

"""bench/run.py: its summary ratios, and one short run that prints what the docs promise."""
import json
import os
import subprocess
import sys

import torch

from bench.run import summarise
from tests.conftest import REPO


def case(speed, memory):
    return {"samples_per_second": speed, "added_memory_mib": memory, "peak_memory_mib": memory}


def test_summary_ratios_from_the_cases_that_ran():
    results = {"raw_dual_parallel": case(20.0, 300), "raw_dual_sequential": case(25.0, 200),
               "plugin_dual_parallel": case(19.0, 310), "plugin_single": case(40.0, 150),
               "plugin_dual_auto": case(26.0, 180)}
    summary = summarise(results, torch.device("cpu"))
    assert summary["plugin_vs_raw"] == 0.95
    assert summary["dual_vs_single"] == 0.65
    assert summary["auto_vs_best_raw_strategy"] == 1.04  # against the faster raw strategy
    assert summary["dual_memory_vs_single"] == 1.2
    assert "predict_vs_single" not in summary and "plugin_vs_raw_sequential" not in summary


def test_a_short_run_prints_one_json_line_per_case_and_a_summary():
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--steps", "4", "--warmup", "1",
         "--cases", "raw_single,plugin_single,predict_raw_single,predict_plugin"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    header, *rows, summary = lines
    assert header["model"] == "small" and header["batch_size"] == 8
    assert [row["case"] for row in rows] == ["raw_single", "plugin_single", "predict_raw_single",
                                            "predict_plugin"]
    assert all(row["samples_per_second"] > 0 for row in rows)
    assert summary["summary"] and 0 < summary["predict_vs_single"]


def test_unknown_case_names_are_refused():
    result = subprocess.run([sys.executable, "bench/run.py", "--quick", "--cases", "plugin_dual_fast"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "unknown case(s) ['plugin_dual_fast']" in result.stderr


def test_seal_epoch_ratios_are_epoch_times_over_one_adapters():
    """Speed is in distinct samples per second (an alternating epoch takes two steps per
    batch), so the epoch-time ratio is single speed / SEAL speed."""
    from bench.cases import samples_per_second

    results = {"plugin_single": case(40.0, 150), "seal_epoch_alternating": case(10.0, 190),
               "seal_epoch_alternating_recompute": case(16.0, 190), "seal_epoch_joint": case(20.0, 200)}
    summary = summarise(results, torch.device("cpu"))
    assert summary["seal_alternating_epoch_vs_single"] == 4.0
    assert summary["seal_alternating_recompute_epoch_vs_single"] == 2.5
    assert summary["seal_joint_epoch_vs_single"] == 2.0
    # 4 steps of 1 s each at batch 8 repeated twice: 4 distinct samples a second, not 8.
    assert samples_per_second([0.0, 1.0, 2.0, 3.0, 4.0], 8 / 2, 0) == 4.0


def test_the_seal_step_profile_accounts_for_the_step():
    result = subprocess.run(
        [sys.executable, "bench/profile_seal_step.py", "--model", "small", "--steps", "2", "--warmup", "1",
         "--batch-size", "4", "--length", "16"],
        cwd=REPO, capture_output=True, text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    profile = json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])
    parts = profile["parts_ms_per_step"]
    assert profile["mode"] == "alternate" and profile["reuse_idle_channel"] is True
    # per batch of two steps: the ScoreNN's step computes both channels with autograd (the
    # TaskNN's kept for its step), the TaskNN's step trains through the kept one and computes
    # the updated ScoreNN's without autograd
    assert parts["scorenn channel forward (autograd)"] > 0 and parts["tasknn channel forward (autograd)"] > 0
    assert "tasknn channel forward (no autograd)" not in parts  # kept from the ScoreNN's step
    assert parts["scorenn channel forward (no autograd)"] > 0
    assert parts["backward (autograd)"] > 0
    assert abs(sum(parts.values()) - profile["ms_per_step"]) < 0.5

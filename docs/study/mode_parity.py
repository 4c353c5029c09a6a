"""Joint against alternating SEAL: per-seed test values, means, spreads and times of the SEAL
runs of two `compare --task T` reports (docs/seal_study.md, section 7).

    python docs/study/mode_parity.py JOINT/comparison.json ALTERNATING/comparison.json

Prints a markdown table and whether the joint mean lies within the alternating seeds' spread
(mean +- one sample standard deviation) and the other way round.
"""
import json
import statistics
import sys


def seal_runs(path):
    report = json.load(open(path))
    seal = report["runs"]["seal"]
    seeds = sorted(seal["seeds"], key=int)
    return report, seal, seeds


def row(name, seal, seeds):
    values = [seal["seeds"][s]["test"] for s in seeds]
    minutes = statistics.fmean(seal["seeds"][s]["training_seconds"] for s in seeds) / 60
    ranking = [seal["seeds"][s].get("diagnostics_per_epoch", {}).get("scorenn_ranking_accuracy", [None])[-1]
               for s in seeds]
    std = statistics.stdev(values) if len(values) > 1 else float("nan")
    cells = " | ".join(f"{v:.4f}" for v in values)
    last = ", ".join(f"{r:.2f}" for r in ranking if r is not None)
    return (f"| {name} | {cells} | **{statistics.fmean(values):.4f}** | {std:.4f} | {last} | "
            f"{minutes:.1f} min |", statistics.fmean(values), std)


def main(joint_path, alternating_path):
    report, joint, joint_seeds = seal_runs(joint_path)
    _, alternating, alternating_seeds = seal_runs(alternating_path)
    seeds = " | ".join(f"seed {s}" for s in joint_seeds)
    print(f"{report['title']}: {report['metric_label']}\n")
    print(f"| SEAL mode | {seeds} | mean | std | last-epoch ranking accuracy | time per run |")
    print("|---|" + "---|" * (len(joint_seeds) + 4))
    line, joint_mean, joint_std = row(f"joint ({joint['config']})", joint, joint_seeds)
    print(line)
    line, alt_mean, alt_std = row(f"alternating ({alternating['config']})", alternating, alternating_seeds)
    print(line)
    difference = 100 * (joint_mean - alt_mean)
    print(f"\njoint - alternating = {difference:+.2f} points; joint mean within alternating mean +- std: "
          f"{abs(joint_mean - alt_mean) <= alt_std}; alternating mean within joint mean +- std: "
          f"{abs(joint_mean - alt_mean) <= joint_std}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])

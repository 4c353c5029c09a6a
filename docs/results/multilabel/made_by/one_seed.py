"""Train chosen (variant, seed) runs of issue 23's multi-label study exactly as `compare` would
(same parser, same build_run_config, same prepare/train), so two processes can split the seeds.
A final `compare --recover` with the same flags reuses every finished run (config checked)."""
import argparse
import sys

from seal_adapters.cli import compare
from seal_adapters.cli import seeded_compare as sc
from seal_adapters.cli.demo import choose_model
from seal_adapters.cli.training_run import prepare, train

jobs = [tuple(j.split(":")) for j in sys.argv[1].split(",")]  # e.g. "seal:4,cross_entropy:5"
parser = argparse.ArgumentParser()
compare.add_arguments(parser)
args = parser.parse_args(sys.argv[2:])
try:
    tasks = sc.TASKS  # the task table at e54d8e5 (the 8-epoch study's worktree)
except AttributeError:  # the tasks/ registry since
    from seal_adapters.tasks import all_tasks

    tasks = all_tasks()
task = tasks[args.task]
model = choose_model(args, args.output_dir)
for variant, seed in jobs:
    seed = int(seed)
    directory = sc.run_dir(args.output_dir, variant, seed)
    config = sc.build_run_config(task, variant, seed, model, args, None)
    action = prepare(directory, args.retrain, args.recover)
    if action == "reuse":
        sc.check_reused_config(directory, config)
        print(f"[{variant} seed {seed}] finished: reusing", flush=True)
        continue
    print(f"[{variant} seed {seed}] {action} -> {directory}", flush=True)
    status = train(config, directory, recover=action == "recover", force=action == "retrain")
    if status:
        sys.exit(status)

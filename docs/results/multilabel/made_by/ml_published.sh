#!/usr/bin/env bash
# Issue 23: SEAL's published regime on multi-label entity types (seal_entity_types_published.jsonnet),
# from the worktree /work/study2 (b10a27f). $1: jobs for one_seed.py ("seal:1"), $2: log tag.
# Resumable: run again (it passes --recover; a checkpoint every 100 steps, so keep that override in every later call). The cross-entropy runs of /work/runs-study/multilabel
# can be symlinked into multilabel-published/cross_entropy for the final compare.
set -u
cd /work/study2
export PYTHONPATH=/work/study2 OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=/work/main/.venv/bin/python
nice -n 5 $PY /work/main/docs/results/multilabel/made_by/one_seed.py "$1" --task multilabel --seeds 5 --recover \
  --seal-config seal_entity_types_published.jsonnet --seal-overrides "{\"trainer.checkpointer.save_every_num_batches\": 100}" -o /work/runs-study/multilabel-published \
  >> /work/runs-study/ml_published_$2.log 2>&1

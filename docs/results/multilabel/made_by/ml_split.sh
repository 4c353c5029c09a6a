#!/usr/bin/env bash
# Issue 23 multi-label study, split over two processes (one per core); then the combined report.
set -u
cd /work/study
export PYTHONPATH=/work/study OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=/work/main/.venv/bin/python
OV='{"model.scorenn_loss": {"type": "dvn", "num_samples": 10}, "model.tasknn_loss": {"type": "cross_entropy_score", "score_term": "absolute"}, "model.score_loss_weight": 1.0}'
COMMON=(--task multilabel --seeds 5 --recover --seal-overrides "$OV" -o /work/runs-study/multilabel)
nice -n 5 $PY /work/runs-study/one_seed.py "$1" "${COMMON[@]}" > /work/runs-study/ml_split_$2.log 2>&1

#!/usr/bin/env bash
set -u
while pgrep -f ml_split.sh >/dev/null; do sleep 30; done
cd /work/study
export PYTHONPATH=/work/study OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=/work/main/.venv/bin/python
OV='{"model.scorenn_loss": {"type": "dvn", "num_samples": 10}, "model.tasknn_loss": {"type": "cross_entropy_score", "score_term": "absolute"}, "model.score_loss_weight": 1.0}'
nice -n 5 $PY -m seal_adapters compare --task multilabel --seeds 5 --recover \
  --seal-overrides "$OV" -o /work/runs-study/multilabel > /work/runs-study/ml_final.log 2>&1

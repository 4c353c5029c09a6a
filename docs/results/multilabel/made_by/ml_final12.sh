#!/usr/bin/env bash
set -u
while pgrep -f "ml_split.sh|ml_ce12_cont.sh" >/dev/null; do sleep 30; done
cd /work/study
export PYTHONPATH=/work/study OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=/work/main/.venv/bin/python
OV='{"model.scorenn_loss": {"type": "dvn", "num_samples": 10}, "model.tasknn_loss": {"type": "cross_entropy_score", "score_term": "absolute"}, "model.score_loss_weight": 1.0}'
nice -n 5 $PY -m seal_adapters compare --task multilabel --seeds 5 --recover \
  --seal-overrides "$OV" --baseline-overrides '{"trainer.num_epochs": 12}' \
  -o /work/runs-study/multilabel-ce12 > /work/runs-study/ml_final12.log 2>&1

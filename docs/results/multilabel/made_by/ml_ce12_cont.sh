#!/usr/bin/env bash
# Baseline epoch sweep for issue 23's multi-label verdict: each finished 8-epoch cross-entropy
# run continues to 12 epochs (allennlp --recover from its epoch-8 checkpoint with num_epochs 12;
# no lr schedule, the best validation epoch over all 12 is kept). Seeds given as "1 2 3".
set -u
OUT=/work/runs-study/multilabel-ce12
cd /work/study
export PYTHONPATH=/work/study OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=/work/main/.venv/bin/python
OV='{"model.scorenn_loss": {"type": "dvn", "num_samples": 10}, "model.tasknn_loss": {"type": "cross_entropy_score", "score_term": "absolute"}, "model.score_loss_weight": 1.0}'
for s in $1; do
  src=/work/runs-study/multilabel/cross_entropy/seed_$s dst=$OUT/cross_entropy/seed_$s
  until [ -f $src/metrics.json ] && [ -f $src/model.tar.gz ]; do sleep 30; done
  if [ ! -d $dst ]; then
    mkdir -p $dst.tmp
    cp -r $src/meta.json $src/best.th $src/model_state_e8_b0.th $src/training_state_e8_b0.th \
      $src/metrics_epoch_*.json $src/batch_history.jsonl $src/out.log $src/vocabulary $dst.tmp/
    $PY -c "import json,sys; c=json.load(open('$src/config.json')); c['trainer']['num_epochs']=12; json.dump(c, open('$dst.tmp/config.json','w'), indent=2)"
    mv $dst.tmp $dst
  fi
  nice -n 5 $PY /work/runs-study/one_seed.py "cross_entropy:$s" --task multilabel --seeds 5 --recover \
    --seal-overrides "$OV" --baseline-overrides '{"trainer.num_epochs": 12}' -o $OUT >> /work/runs-study/ml_ce12_$2.log 2>&1
done

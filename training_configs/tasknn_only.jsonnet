// Baseline: the TaskNN alone, a cross-entropy classifier on one adapter (tasknn) of the frozen
// transformer: score_loss_weight 0 (no ScoreNN head, channel or loss), no alternation.
// Same reader, pooling and head as seal_sentiment.jsonnet, so the two compare directly.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_sentiment).
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=train.jsonl \
//   SEAL_VALIDATION=dev.jsonl SEAL_TEST=test.jsonl \
//     allennlp train training_configs/tasknn_only.jsonnet -s runs/tasknn_only \
//       --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_sentiment.jsonnet') + {
  model: seal.text_classifier(model_name, adapters={ tasknn: 'seq_bn' }, score_loss_weight=0),
  schedule:: null,  // one adapter: no alternation, plain batches
  trainer: trainer.trainer(num_epochs=3, lr=1e-3, schedule=null),
}

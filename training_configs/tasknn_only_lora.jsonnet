// Baseline: one LoRA adapter (tasknn) trained with cross-entropy, no ScoreNN, no alternation.
// Same reader, pooling and head as seal_sentiment.jsonnet (and seal_sentiment_lora.jsonnet,
// its SEAL counterpart with two LoRA adapters).
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_sentiment).
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=train.jsonl \
//   SEAL_VALIDATION=dev.jsonl SEAL_TEST=test.jsonl \
//     allennlp train training_configs/tasknn_only_lora.jsonnet -s runs/tasknn_only_lora \
//       --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_sentiment.jsonnet') + {
  schedule:: null,  // one adapter: no alternation, plain batches
  model: seal.text_classifier(model_name, adapters={ tasknn: 'lora' }, score_loss_weight=0),
  trainer: trainer.trainer(num_epochs=3, lr=1e-3, schedule=null),
}

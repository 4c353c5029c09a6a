// Baseline for seal_pair_classification.jsonnet: the TaskNN alone, cross-entropy on one adapter
// (tasknn), score_loss_weight 0, no alternation; same reader, pooling, head and batches.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as
// seal_pair_classification.jsonnet).
//
//   SEAL_TRANSFORMER=... SEAL_TRAIN=... SEAL_VALIDATION=... SEAL_TEST=... \
//     allennlp train training_configs/pair_classification_cross_entropy.jsonnet -s runs/pairs_ce --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_pair_classification.jsonnet') + {
  schedule:: null,
  model: seal.text_classifier(model_name, adapters={ tasknn: 'seq_bn' }, score_loss_weight=0)
         + { type: 'seal_pair_classifier' },
}

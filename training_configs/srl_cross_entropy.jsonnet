// Baseline for seal_srl.jsonnet: the TaskNN alone, cross-entropy on one adapter (tasknn),
// score_loss_weight 0, no alternation; same reader, predicate indicator, head, batches, epochs.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_srl.jsonnet).
//
//   SEAL_TRANSFORMER=... SEAL_TRAIN=... SEAL_VALIDATION=... SEAL_TEST=... \
//     allennlp train training_configs/srl_cross_entropy.jsonnet -s runs/srl_ce --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_srl.jsonnet') + {
  schedule:: null,
  model: seal.tagger(model_name, adapters={ tasknn: 'seq_bn' }, score_loss_weight=0,
                     tasknn_hidden_dim=256, last_layer_only=false)
         + { type: 'seal_srl_tagger' },
}

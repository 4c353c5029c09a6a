// SEAL sentiment classification: TaskNN and ScoreNN as two adapters (tasknn, scorenn) on one
// frozen transformer, trained alternately (one optimizer step each, both on every batch),
// NCE ScoreNN loss.
//
// Environment (read with std.extVar; allennlp passes environment variables as ext vars):
//   SEAL_TRANSFORMER  local Hugging Face model directory (or a hub name)
//   SEAL_TRAIN        training data, JSON lines {"text": ..., "label": ...}
//   SEAL_VALIDATION   validation data, same format
//   SEAL_TEST         test data (evaluated after training, test_* in metrics.json),
//                     or '' to skip the test set; it must be set either way
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=train.jsonl \
//   SEAL_VALIDATION=dev.jsonl SEAL_TEST=test.jsonl \
//     allennlp train training_configs/seal_sentiment.jsonnet -s runs/seal_sentiment \
//       --include-package seal_adapters
//
// Other data: change `reader` below, e.g. for the raw Rotten Tomatoes files use
//   { type: 'rt_polarity', model_name: model_name }
// with SEAL_TRAIN=<dir>#train, SEAL_VALIDATION=<dir>#validation, SEAL_TEST=<dir>#test.
local embedder = import 'lib/embedder.libsonnet';
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

local reader = {
  type: 'text_classification_json',
  tokenizer: embedder.tokenizer(model_name),
  token_indexers: embedder.indexers(model_name),
};

{
  // [adapter, optimizer steps] turns; configs extending this one may override it (hidden
  // field: not part of the resolved config), and the loader follows. null = no alternation.
  schedule:: [['scorenn', 1], ['tasknn', 1]],
  dataset_reader: reader,
  model: seal.text_classifier(model_name, scorenn_loss=seal.nce(num_samples=10)),
  // Each batch twice in a row: the ScoreNN step, then the TaskNN step on the same sentences.
  data_loader: trainer.seal_loader(batch_size=32, schedule=self.schedule),
  validation_data_loader: trainer.validation_loader(),
  trainer: trainer.trainer(num_epochs=3, lr=1e-3, schedule=self.schedule, validation_metric='+accuracy'),
} + seal.data_paths()

// SEAL multi-label classification: sigmoid TaskNN; the ScoreNN's feed-forward term over the
// label vector learns which labels go together. Validation metric: example-based F1.
//
// Environment (std.extVar):
//   SEAL_TRANSFORMER  local Hugging Face model directory (or a hub name)
//   SEAL_TRAIN        training data, JSON lines {"text": ..., "labels": [...]}
//   SEAL_VALIDATION   validation data, same format
//   SEAL_TEST         test data, or '' to skip the test set (must be set either way)
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=train.jsonl \
//   SEAL_VALIDATION=dev.jsonl SEAL_TEST='' \
//     allennlp train training_configs/seal_multilabel.jsonnet -s runs/seal_multilabel \
//       --include-package seal_adapters
local embedder = import 'lib/embedder.libsonnet';
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

local reader = {
  type: 'seal_multilabel_jsonl',
  tokenizer: embedder.tokenizer(model_name),
  token_indexers: embedder.indexers(model_name),
};

{
  // 'joint': both sides train in every step from one forward and one backward (each by its
  // own loss), half the cost of alternating; or [adapter, optimizer steps] turns, e.g.
  // [['scorenn', 1], ['tasknn', 1]], to alternate (each batch then comes once per turn).
  // Hidden: configs extending this one set their own, and the loader follows; null = one
  // network, no callback.
  schedule:: 'joint',
  dataset_reader: reader,
  model: seal.multilabel_classifier(model_name, scorenn_loss=seal.nce(num_samples=10)),
  data_loader: trainer.seal_loader(batch_size=32, schedule=self.schedule),
  validation_data_loader: trainer.validation_loader(),
  trainer: trainer.trainer(num_epochs=3, lr=1e-3, schedule=self.schedule,
                           validation_metric='+example_f1'),
} + seal.data_paths()

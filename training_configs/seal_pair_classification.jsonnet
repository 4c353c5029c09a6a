// SEAL sentence-pair classification (entailment, paraphrase, ...): premise and hypothesis are
// encoded together as the transformer's pair input ([CLS] premise [SEP] hypothesis [SEP], type
// ids where the model has them); TaskNN and ScoreNN are two adapters on one frozen
// transformer, trained jointly, margin ScoreNN loss (the sentence-classification recipe).
//
// Environment (std.extVar):
//   SEAL_TRANSFORMER  local Hugging Face model directory (or a hub name)
//   SEAL_TRAIN        JSON lines {"premise": ..., "hypothesis": ..., "label": ...}, or SNLI /
//                     MultiNLI's own {"sentence1", "sentence2", "gold_label"} lines
//                     (pairs labelled '-' are skipped and counted in the log)
//   SEAL_VALIDATION   validation data, same format
//   SEAL_TEST         test data, or '' to skip the test set
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=snli_1.0_train.jsonl \
//   SEAL_VALIDATION=snli_1.0_dev.jsonl SEAL_TEST=snli_1.0_test.jsonl \
//     allennlp train training_configs/seal_pair_classification.jsonnet -s runs/seal_pairs \
//       --include-package seal_adapters
//
// Predict: python -m seal_adapters predict runs/seal_pairs pairs.jsonl
// (lines {"premise": ..., "hypothesis": ...}; each gets its label and probabilities).
local embedder = import 'lib/embedder.libsonnet';
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

{
  // 'joint', or [adapter, optimizer steps] turns to alternate; null = one network.
  schedule:: 'joint',
  dataset_reader: { type: 'seal_pair_jsonl', model_name: model_name },
  model: seal.text_classifier(model_name, score_loss_weight=0.03, scorenn_loss=seal.margin(),
                              tasknn_loss=seal.gold_hinge()) + { type: 'seal_pair_classifier' },
  // Shuffled batches, as its baseline's (compare warns when the two draw batches differently).
  data_loader: trainer.seal_loader(batch_size=32, schedule=self.schedule, bucket=false),
  validation_data_loader: trainer.validation_loader(),
  trainer: trainer.trainer(num_epochs=3, lr=1e-3, schedule=self.schedule, validation_metric='+accuracy'),
} + seal.data_paths()

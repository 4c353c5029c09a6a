// SEAL semantic role labeling (the SEAL paper's NLP task): for each predicate of a sentence, a
// BIO tag per word for its arguments. The predicate reaches both networks as a learned
// indicator added to every word vector; the ScoreNN scores whole tag sequences with
// self-attention over the tags (as SEAL's published SRL run); span F1 leaves out the V span.
//
// Data: CoNLL-2012 (OntoNotes 5.0) *gold_conll files, or a directory walked for them (none
// ships here: point the variables at the files you have; CoNLL-2005 converted to the same
// columns works too).
//
// Environment (std.extVar):
//   SEAL_TRANSFORMER  local Hugging Face model directory (or a hub name)
//   SEAL_TRAIN        e.g. conll-2012/v4/data/train/data/english/annotations
//   SEAL_VALIDATION   e.g. .../development/data/english/annotations
//   SEAL_TEST         e.g. .../conll-2012-test/data/english/annotations, or '' to skip it
//
//   SEAL_TRANSFORMER=/models/roberta-base SEAL_TRAIN=... SEAL_VALIDATION=... SEAL_TEST=... \
//     allennlp train training_configs/seal_srl.jsonnet -s runs/seal_srl --include-package seal_adapters
//
// Predict: python -m seal_adapters predict runs/seal_srl inputs.jsonl, with lines
// {"tokens": ["The", "cat", "sat", "."], "predicate_index": 2}.
local embedder = import 'lib/embedder.libsonnet';
local seal = import 'lib/seal_model.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

{
  schedule:: 'joint',
  dataset_reader: {
    type: 'seal_srl_conll2012',
    token_indexers: embedder.mismatched_indexers(model_name),
  },
  // The NER recipe (margin ScoreNN loss, gold hinge at weight 1, a hidden TaskNN layer, a
  // per-adapter mix of all layers) with SEAL's SRL energy.
  model: seal.tagger(model_name, score_loss_weight=1.0, scorenn_loss=seal.margin(num_samples=10),
                     tasknn_loss=seal.gold_hinge(), tasknn_hidden_dim=256, last_layer_only=false,
                     energy=seal.tag_self_attention())
         + { type: 'seal_srl_tagger' },
  data_loader: trainer.seal_loader(batch_size=16, schedule=self.schedule, bucket=false),
  validation_data_loader: trainer.validation_loader(),
  trainer: trainer.trainer(num_epochs=6, lr=3e-3, schedule=self.schedule,
                           validation_metric='+f1-measure-overall'),
} + seal.data_paths()

// Test fixture: adapters_classifier.jsonnet with two adapters (scorenn, tasknn, output
// "concat") trained alternately, the setup the bad-input, CLI and reliability tests exercise.
local embedder = import '../../training_configs/lib/embedder.libsonnet';
local trainer = import '../../training_configs/lib/trainer.libsonnet';
local base = import '../../training_configs/adapters_classifier.jsonnet';

// read through the shipped file, so its checks and error locations are the ones a user meets
local model_name = base.dataset_reader.tokenizer.model_name;
local hidden_size = base.model.seq2vec_encoder.embedding_dim;

base + {
  model+: {
    text_field_embedder: embedder.text_field_embedder(model_name),
    seq2vec_encoder: { type: 'cls_pooler', embedding_dim: 2 * hidden_size },
  },
  trainer: trainer.trainer(num_epochs=3, lr=1e-3),
}

// The foundation example: allennlp's own basic_classifier on a frozen transformer with one
// adapter (tasknn) that trains, and nothing else of the transformer. A plain allennlp model
// reads one channel, so it gets one adapter and no alternation (two adapters and the
// adapter_schedule callback are for models that read both, as the SEAL models do). Copy it
// and point it at your data and model:
//
//   SEAL_TRANSFORMER=/path/to/hf_model_dir SEAL_HIDDEN_SIZE=384 SEAL_TRAIN=train.jsonl SEAL_VALIDATION=dev.jsonl \
//     allennlp train training_configs/adapters_classifier.jsonnet -s runs/clf --include-package seal_adapters
//
// Data: JSON lines {"text": ..., "label": ...} (seal_text_jsonl: bad lines name file and line).
local embedder = import 'lib/embedder.libsonnet';
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');
// allennlp's built-in models need their input size: the transformer's hidden size
// (config.json; times the number of adapters if you give it several, output "concat").
local hidden_size_text = std.extVar('SEAL_HIDDEN_SIZE');
local hidden_size =
  assert std.length(hidden_size_text) > 0
         && std.all([std.member('0123456789', c) for c in std.stringChars(hidden_size_text)]) :
         'SEAL_HIDDEN_SIZE must be a whole number, the transformer hidden size from its '
         + 'config.json (e.g. 384 for MiniLM), got "' + hidden_size_text + '"';
  std.parseInt(hidden_size_text);

{
  dataset_reader: {
    type: 'seal_text_jsonl',
    tokenizer: embedder.tokenizer(model_name),
    token_indexers: embedder.indexers(model_name),
  },
  train_data_path: std.extVar('SEAL_TRAIN'),
  validation_data_path: std.extVar('SEAL_VALIDATION'),
  model: {
    type: 'basic_classifier',
    namespace: 'tags',  // transformer indexers keep their ids out of the 'tokens' namespace
    text_field_embedder: embedder.text_field_embedder(model_name, adapters={ tasknn: 'seq_bn' }),
    seq2vec_encoder: { type: 'cls_pooler', embedding_dim: hidden_size },
  },
  data_loader: { batch_size: 16, shuffle: true },
  trainer: trainer.trainer(num_epochs=3, lr=1e-3, schedule=null),  // one adapter: no alternation
}

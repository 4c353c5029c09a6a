// Baseline: full fine-tuning of the same transformer (every weight trains, no adapters) with
// allennlp's own `pretrained_transformer` embedder and `basic_classifier`. The pooler is
// allennlp's `bert_pooler` (the model's [CLS] pooler layer, trained too), which needs no
// hidden size in the config. Full fine-tuning wants a much smaller learning rate.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_sentiment).
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=train.jsonl \
//   SEAL_VALIDATION=dev.jsonl SEAL_TEST=test.jsonl \
//     allennlp train training_configs/full_finetune.jsonnet -s runs/full_finetune \
//       --include-package seal_adapters
local trainer = import 'lib/trainer.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_sentiment.jsonnet') + {
  model: {
    type: 'basic_classifier',
    text_field_embedder: {
      token_embedders: {
        tokens: { type: 'pretrained_transformer', model_name: model_name, train_parameters: true },
      },
    },
    seq2vec_encoder: { type: 'bert_pooler', pretrained_model: model_name, requires_grad: true },
    dropout: 0.1,
  },
  schedule:: null,  // one network: no alternation, plain batches
  trainer: trainer.trainer(num_epochs=3, lr=2e-5, schedule=null),
}

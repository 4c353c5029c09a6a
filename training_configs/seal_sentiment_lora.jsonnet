// seal_sentiment.jsonnet with LoRA adapters instead of bottleneck (seq_bn) adapters for both
// sides. LoRA's B matrices start at zero, so a higher learning rate than 1e-3 can help.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_sentiment).
//
//   SEAL_TRANSFORMER=/models/all-MiniLM-L6-v2 SEAL_TRAIN=train.jsonl \
//   SEAL_VALIDATION=dev.jsonl SEAL_TEST=test.jsonl \
//     allennlp train training_configs/seal_sentiment_lora.jsonnet -s runs/seal_lora \
//       --include-package seal_adapters
local seal = import 'lib/seal_model.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

// The recipe `make compare` measured (README): alternating steps, NCE with 10 samples, the
// models' default score weight 0.1.
(import 'seal_sentiment.jsonnet') + {
  schedule:: [['scorenn', 1], ['tasknn', 1]],
  model: seal.text_classifier(model_name, adapters={ scorenn: 'lora', tasknn: 'lora' },
                              scorenn_loss=seal.nce(num_samples=10)),
}

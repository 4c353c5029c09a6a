// seal_sentiment.jsonnet with alternating steps instead of joint ones: each batch comes twice
// in a row, one optimizer step for the ScoreNN, then one for the TaskNN (the loader's
// repeat_each_batch and the callback follow `schedule`). Same model, losses and learning rate;
// docs/seal_study.md compares the two modes over 3 seeds.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_sentiment).
//
//   allennlp train training_configs/seal_sentiment_alternating.jsonnet -s runs/seal_sentiment_alternating --include-package seal_adapters
//   (environment as in seal_sentiment.jsonnet's header), or, against the joint runs over seeds:
//   python -m seal_adapters compare --task sentiment --variant seal \
//     --seal-config seal_sentiment_alternating.jsonnet -o runs/compare-sentiment-alternating
(import 'seal_sentiment.jsonnet') + {
  schedule:: [['scorenn', 1], ['tasknn', 1]],
}

// seal_ner.jsonnet with alternating steps instead of joint ones: each batch comes twice in a
// row, one optimizer step for the ScoreNN, then one for the TaskNN (the loader's
// repeat_each_batch and the callback follow `schedule`). Same model, losses and learning rate;
// docs/seal_study.md compares the two modes over 3 seeds.
//
// Environment: SEAL_TRANSFORMER, SEAL_TRAIN, SEAL_VALIDATION, SEAL_TEST (as seal_ner).
//
//   allennlp train training_configs/seal_ner_alternating.jsonnet -s runs/seal_ner_alternating --include-package seal_adapters
//   (environment as in seal_ner.jsonnet's header), or, against the joint runs over seeds:
//   python -m seal_adapters compare --task ner --variant seal \
//     --seal-config seal_ner_alternating.jsonnet -o runs/compare-ner-alternating
(import 'seal_ner.jsonnet') + {
  schedule:: [['scorenn', 1], ['tasknn', 1]],
}

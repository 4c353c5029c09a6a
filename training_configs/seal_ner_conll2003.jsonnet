// SEAL NER on CoNLL-2003 (English), for users who have its files: allennlp's own
// 'conll2003' reader (four columns: token, POS, chunk, NER tag; -DOCSTART- lines), its tags in
// CoNLL-2003's own IOB1 scheme (span F1 reads them as IOB1), everything else as seal_ner.jsonnet.
//
// Environment (std.extVar):
//   SEAL_TRANSFORMER  local Hugging Face model directory (or a hub name)
//   SEAL_TRAIN        e.g. /data/conll2003/eng.train
//   SEAL_VALIDATION   e.g. /data/conll2003/eng.testa
//   SEAL_TEST         e.g. /data/conll2003/eng.testb, or '' to skip the test set
//
//   SEAL_TRANSFORMER=/models/bert-base-cased SEAL_TRAIN=eng.train \
//   SEAL_VALIDATION=eng.testa SEAL_TEST=eng.testb \
//     allennlp train training_configs/seal_ner_conll2003.jsonnet -s runs/seal_conll2003 \
//       --include-package seal_adapters
local embedder = import 'lib/embedder.libsonnet';

local model_name = std.extVar('SEAL_TRANSFORMER');

(import 'seal_ner.jsonnet') + {
  dataset_reader: {
    type: 'conll2003',
    tag_label: 'ner',
    token_indexers: embedder.mismatched_indexers(model_name),
  },
  model+: { label_encoding: 'IOB1' },
}

"""Semantic role labeling (SEAL's NLP task): for each predicate of a sentence, a BIO tag per
word naming its arguments (ARG0, ARG1, ARGM-TMP, ...; the predicate itself is `B-V`).

Reader `seal_srl_conll2012` (CoNLL-2012 `*gold_conll` files or a directory of them, one
instance per predicate), model `seal_srl_tagger` (the SEAL tagger with the predicate as a
learned indicator added to each word, span F1 without the `V` span as the CoNLL scorer),
predictor `seal_srl` (`{"tokens": [...], "predicate_index": k}` in, a tag per word out);
configs `seal_srl.jsonnet` and `srl_cross_entropy.jsonnet`.
"""
from seal_adapters.tasks.srl import model, predictor, reader, task  # noqa: F401

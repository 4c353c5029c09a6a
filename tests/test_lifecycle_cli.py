"""`python -m seal_adapters demo | export | list | predict | verify-base`, in subprocesses as a
user runs them, on a small archive that `demo --quick` trains (tiny BERT, synthetic data in
the raw rt-polarity layout)."""
import json
import os
import re
import tarfile

import pytest
import torch
from safetensors.torch import load_file

from seal_adapters.cli.training_run import prepare, run_state
from seal_adapters.testing.synthetic_data import sentiment_examples
from tests.conftest import run_cli

SPLIT_LINES = 4265 + 533 + 533


def write_rt_polarity(directory) -> str:
    """rt-polarity.pos / .neg with the real files' 5,331 lines each, from the synthetic rule."""
    os.makedirs(directory, exist_ok=True)
    examples = sentiment_examples(2 * SPLIT_LINES + 200, seed=5)
    for label in ("pos", "neg"):
        lines = [e["text"] for e in examples if e["label"] == label][:SPLIT_LINES]
        with open(os.path.join(directory, f"rt-polarity.{label}"), "w") as handle:
            handle.write("\n".join(lines) + "\n")
    return str(directory)


def seal_cli(*args, env=None, stdin=None, timeout=600):
    if stdin is None:
        return run_cli(["python", "-m", "seal_adapters", *args], env, timeout=timeout)
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "seal_adapters", *args], input=stdin, text=True,
                          capture_output=True, env={**os.environ, **(env or {})}, timeout=timeout)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("lifecycle")
    data = write_rt_polarity(root / "rt-polarity")
    out = str(root / "runs" / "demo-quick")
    result = seal_cli("demo", "--quick", "--data-dir", data, "-s", out)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return {"dir": out, "archive": os.path.join(out, "model.tar.gz"), "result": result,
            "model": str(root / "runs" / "tiny-bert")}


def test_demo_quick_trains_evaluates_predicts_and_plots(demo_run):
    out, result = demo_run["dir"], demo_run["result"]
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert 0.0 <= metrics["test_accuracy"] <= 1.0  # evaluated on the test split
    config = json.load(open(os.path.join(out, "config.json")))
    assert config["dataset_reader"] == {**config["validation_dataset_reader"], "max_instances": 64}
    assert config["test_data_path"].endswith("#test") and config["model"]["type"] == "seal_text_classifier"
    predictions = re.findall(r"^  (pos|neg) \(p=(\d\.\d{3})\) +(.+)$", result.stdout, re.M)
    assert len(predictions) == 4 and all(0.5 <= float(p) <= 1.0 for _, p, _ in predictions)
    assert "test_accuracy" in result.stdout and "training_curves.png" in result.stdout
    # The per-epoch summary of the callback reaches the user: 64 / 16 = 4 batches, each
    # training both sides in one joint step.
    # (a batch on which the margin loss is 0 gives the ScoreNN no gradient: the summary says so)
    assert re.search(r"epoch 0 \| trained: scorenn 4 steps( \([^)]*\))?, tasknn 4 steps", result.stderr)
    steps = [json.loads(line) for line in open(os.path.join(out, "batch_history.jsonl"))]
    assert [s["adapter"] for s in steps] == ["all"] * 4
    assert all("tasknn_loss" in s and "scorenn_loss" in s for s in steps)
    with open(os.path.join(out, "training_curves.png"), "rb") as handle:
        png = handle.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_demo_without_data_prints_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = seal_cli("demo", env={"SEAL_DATA_DIR": str(empty)})
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "rt-polarity.pos" in lines[0] and "rt-polarity.neg" in lines[0] and str(empty) in lines[0]


def test_existing_runs_are_reused_resumed_or_replaced_only_on_request(tmp_path):
    run = tmp_path / "run"
    assert prepare(str(run), retrain=False, recover=False) == "train" and run_state(str(run)) == "absent"
    run.mkdir()
    (run / "best.th").write_text("partial")
    with pytest.raises(SystemExit, match="--recover.*--retrain"):
        prepare(str(run), retrain=False, recover=False)
    assert prepare(str(run), retrain=False, recover=True) == "recover"
    (run / "model.tar.gz").write_text("x")
    (run / "metrics.json").write_text("{}")
    assert prepare(str(run), retrain=False, recover=False) == "reuse"
    assert prepare(str(run), retrain=True, recover=False) == "retrain"
    assert (run / "best.th").exists()  # deciding deletes nothing


def test_export_loads_in_plain_adapters_with_the_same_hidden_states(demo_run, tmp_path):
    import adapters
    from allennlp.models.archival import load_archive
    from transformers import AutoModel, AutoTokenizer

    from seal_adapters.embedders.channels import embed_channels, single_adapter_embedder

    out = str(tmp_path / "exported")
    result = seal_cli("export", demo_run["archive"], out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(os.listdir(out)) == ["scorenn", "tasknn"]
    model = load_archive(demo_run["archive"]).model.eval()
    tokenizer = AutoTokenizer.from_pretrained(demo_run["model"])
    inputs = tokenizer(["the film was great", "a dull and boring movie ."], padding=True, return_tensors="pt")
    tokens = {"tokens": {"token_ids": inputs["input_ids"], "mask": inputs["attention_mask"].bool(),
                         "type_ids": inputs["token_type_ids"]}}
    embedder = model._text_field_embedder
    for name in ("tasknn", "scorenn"):
        plain = AutoModel.from_pretrained(demo_run["model"])
        adapters.init(plain)
        loaded = plain.load_adapter(os.path.join(out, name))
        plain.set_active_adapters(loaded)
        with torch.no_grad():
            expected = plain.eval()(**inputs).last_hidden_state
            ours = embed_channels(embedder, single_adapter_embedder(embedder, "test"), tokens, [name])[name]
        assert torch.allclose(ours, expected, atol=1e-6), name
        head = load_file(os.path.join(out, name, "head.safetensors"))
        state = {n: p for n, p in model.named_parameters() if n.startswith(f"heads.{name}.")}
        assert head.keys() == state.keys() and state
        assert all(torch.equal(head[n], state[n].detach()) for n in head)


def archive_weights(archive):
    with tarfile.open(archive) as tar:
        return torch.load(tar.extractfile("weights.th"), weights_only=True)


def test_list_shows_both_adapters_with_their_parameter_counts(demo_run):
    result = seal_cli("list", demo_run["archive"], "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    listed = {row["adapter"]: row for row in json.loads(result.stdout)["adapters"]}
    weights = archive_weights(demo_run["archive"])
    assert set(listed) == {"scorenn", "tasknn"}
    for name, row in listed.items():
        # The SEAL model holds its embedder twice (as the text field embedder's token embedder
        # and as `_embedder`), so the state dict names each backbone tensor twice.
        adapter_tensors = {k.split("transformer_model.", 1)[1]: t for k, t in weights.items()
                           if f".adapters.{name}." in k and not k.startswith("heads.")}
        adapter = sum(t.numel() for t in adapter_tensors.values())
        head = sum(t.numel() for k, t in weights.items() if k.startswith(f"heads.{name}."))
        assert row["parameters"] == adapter > 0
        assert row["head_parameters"] == head > 0
        assert row["architecture"] == "SeqBnConfig"
        assert row["bytes"] == 4 * adapter  # float32
    table = seal_cli("list", demo_run["archive"])
    assert re.search(rf"tasknn +SeqBnConfig +{listed['tasknn']['parameters']:,}", table.stdout)


def test_predict_reads_stdin_one_line_per_sentence(demo_run):
    sentences = ["the film was great", "a dull movie", "superb acting , awful plot"]
    result = seal_cli("predict", demo_run["archive"], stdin="\n".join(sentences[:2]) + "\n\n" + sentences[2] + "\n")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for line, sentence in zip(lines, sentences):
        match = re.fullmatch(r"(pos|neg) \(p=(\d\.\d{3})\)\t(.*)", line)
        assert match and match.group(3) == sentence
        assert 0.5 <= float(match.group(2)) <= 1.0
    empty = seal_cli("predict", demo_run["archive"], stdin="\n  \n")  # printed nothing, exit 0
    assert empty.returncode != 0 and empty.stdout == ""
    assert "error: no sentence to predict: stdin has no non-blank line" in empty.stderr


def test_verify_base_restores_bit_for_bit_and_catches_a_modified_base(demo_run, tmp_path):
    result = seal_cli("verify-base", demo_run["archive"])
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "restored bit for bit" in result.stdout and "0 differ" in result.stdout
    # The same archive with one pretrained weight nudged, as if training had touched the base.
    unpacked = tmp_path / "unpacked"
    with tarfile.open(demo_run["archive"]) as tar:
        tar.extractall(unpacked)
    weights = torch.load(unpacked / "weights.th", weights_only=True)
    keys = [k for k in weights if k.endswith("encoder.layer.0.attention.self.query.weight")]
    for key in keys:  # every name of the tensor (see the list test)
        weights[key] = weights[keys[0]] + 1e-3
    torch.save(weights, unpacked / "weights.th")
    tampered = str(tmp_path / "tampered.tar.gz")
    with tarfile.open(tampered, "w:gz") as tar:
        for name in os.listdir(unpacked):
            tar.add(unpacked / name, arcname=name)
    result = seal_cli("verify-base", tampered)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert "1 differ" in result.stdout and "NOT restored" in result.stdout


def test_predict_summary_shows_tags_of_both_kinds_of_tagger_output():
    """This package's tagger predictor returns `tokens`, allennlp-models' `sentence_tagger`
    returns `words`: `predict` prints word/tag pairs for both (it printed "None")."""
    from seal_adapters.cli.predict import summary

    ours = {"tokens": ["john", "lives", "here"], "tags": ["B-PER", "O", "O"], "tag_probs": [0.9] * 3}
    theirs = {"words": ["john", "lives"], "tags": ["U-PER", "O"], "logits": []}
    assert summary(ours) == "john/B-PER lives/O here/O"
    assert summary(theirs) == "john/U-PER lives/O"
    assert summary({"label": "pos", "probs": {"pos": 0.75, "neg": 0.25}}) == "pos (p=0.750)"


def test_export_names_the_real_adapters_and_leaves_no_stale_files(demo_run, tmp_path):
    out = tmp_path / "exported"
    (out / "tasknn").mkdir(parents=True)
    (out / "tasknn" / "pytorch_model_head.bin").write_bytes(b"from an earlier export")  # a name exports write
    (out / "tasknn" / "head.safetensors").write_bytes(b"not a safetensors file")
    (out / "scorenn").mkdir()
    (out / "scorenn" / "my_notes.txt").write_text("the user's own file")
    kept = seal_cli("export", demo_run["archive"], str(out))  # would replace scorenn/ whole
    assert kept.returncode == 2, kept.stderr[-3000:]
    assert (f"error: {out / 'scorenn'} holds files an export does not write (['my_notes.txt']); export "
            "replaces the directory whole, so they would be deleted") in kept.stderr
    assert (out / "scorenn" / "my_notes.txt").read_text() == "the user's own file"
    assert (out / "tasknn" / "pytorch_model_head.bin").exists()  # refused before anything was written
    (out / "scorenn" / "my_notes.txt").unlink()
    (out / "scorenn").rmdir()
    (tmp_path / "a_file").write_text("x")
    into_file = seal_cli("export", demo_run["archive"], str(tmp_path / "a_file"))
    assert into_file.returncode == 2 and "is a file, not a directory: export writes one" in into_file.stderr
    refused = seal_cli("export", demo_run["archive"], str(out), "--adapter", "tasknn", "--adapter", "tasknnn")
    assert refused.returncode == 2, refused.stderr[-3000:]
    assert ("error: No adapter(s) named ['tasknnn'] in this model; it has ['scorenn', 'tasknn']"
            in refused.stderr)
    assert (out / "tasknn" / "pytorch_model_head.bin").exists()  # refused before anything was written
    unasked = seal_cli("export", demo_run["archive"], str(out), "--adapter", "tasknn")
    assert unasked.returncode == 2, unasked.stderr[-3000:]
    assert (f"error: {out / 'tasknn'} already holds an earlier export; nothing was written. Fix: export "
            "to another directory, or add --force") in unasked.stderr
    assert (out / "tasknn" / "pytorch_model_head.bin").read_bytes() == b"from an earlier export"
    result = seal_cli("export", demo_run["archive"], str(out), "--adapter", "tasknn", "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(os.listdir(out)) == ["tasknn"]  # no partial or old directories left
    assert sorted(os.listdir(out / "tasknn")) == [
        "adapter.safetensors", "adapter_config.json", "head.safetensors", "pytorch_adapter.bin"]
    assert load_file(str(out / "tasknn" / "head.safetensors"))


def test_a_damaged_archive_is_named_by_every_command(demo_run, tmp_path):
    from allennlp.models.archival import load_archive

    from seal_adapters.embedders.model_files import DamagedFileError

    data = open(demo_run["archive"], "rb").read()
    truncated, not_archive, foreign = (tmp_path / n for n in ("cut.tar.gz", "notes.tar.gz", "other.tar.gz"))
    truncated.write_bytes(data[: len(data) // 2])
    not_archive.write_text("these are my notes\n")
    with tarfile.open(foreign, "w:gz") as archive:
        archive.add(str(not_archive), arcname="notes.txt")
    import io

    with tarfile.open(demo_run["archive"]) as archive:
        members = [(m, archive.extractfile(m).read() if m.isfile() else None) for m in archive.getmembers()]
    cut_weights = tmp_path / "cut_weights.tar.gz"
    with tarfile.open(cut_weights, "w:gz") as archive:
        for member, content in members:
            if member.name.endswith("weights.th"):
                content = content[: len(content) // 2]
                member.size = len(content)
            archive.addfile(member, io.BytesIO(content) if content is not None else None)
    for path, cause in ((truncated, "not a complete model.tar.gz (EOFError"),
                        (foreign, "the archive has no config.json or weights.th"),
                        (cut_weights, "its weights.th is not a complete torch file")):
        with pytest.raises(DamagedFileError) as error:  # what allennlp evaluate/predict call
            load_archive(str(path))
        assert f"{path} is damaged: {cause}" in str(error.value)
    # A file that is no archive at all (a data file given by mistake) is not called damaged.
    with pytest.raises(DamagedFileError) as error:
        load_archive(str(not_archive))
    assert (f"{not_archive} is not an allennlp model archive: it is neither gzip nor tar (it starts "
            "with text: a data or config file?). Give the run's model.tar.gz") in str(error.value)
    weights = tmp_path / "best.th"
    torch.save({"a": torch.zeros(1)}, str(weights))
    with pytest.raises(DamagedFileError, match=r"best.th is a torch weights file \(like best.th\), not an allennlp "
                                               r"model archive. Give the run's model.tar.gz"):
        load_archive(str(weights))
    # Directories: an exported adapter directory, a run that ended before any checkpoint.
    adapter_dir, unfinished = tmp_path / "exported" / "tasknn", tmp_path / "unfinished_run"
    adapter_dir.mkdir(parents=True)
    (adapter_dir / "adapter_config.json").write_text("{}")
    unfinished.mkdir()
    (unfinished / "config.json").write_text("{}")
    listed = seal_cli("list", str(adapter_dir))
    assert listed.returncode != 0
    assert f"error: {adapter_dir} is an exported adapter directory, not a model archive" in listed.stderr
    verified = seal_cli("verify-base", str(unfinished))
    assert verified.returncode != 0
    assert (f"error: {unfinished} is a directory without best.th, so it holds no trained model"
            in verified.stderr), verified.stderr[-2000:]
    listed = seal_cli("list", str(truncated))
    assert listed.returncode == 2
    assert f"error: {truncated} is damaged: not a complete model.tar.gz" in listed.stderr
    evaluated = run_cli(["allennlp", "evaluate", str(not_archive), str(not_archive)])
    assert evaluated.returncode != 0
    assert f"DamagedFileError: {not_archive} is not an allennlp model archive" in evaluated.stderr


PLUGIN = '''
from allennlp.models import Model
from allennlp.models.basic_classifier import BasicClassifier


@Model.register("my_classifier")
class MyClassifier(BasicClassifier):
    """A user's own model, registered outside seal_adapters."""
'''


def test_archive_commands_load_a_users_model_with_include_package(tmp_path, tiny_roberta):
    """An archive whose model is registered by the user's own package: the life-cycle commands
    load it with --include-package, as allennlp's commands do, and without it say so."""
    from tests.test_models_common import config, embedder, reader, write_config

    (tmp_path / "my_plugin.py").write_text(PLUGIN)
    rows = [{"text": "a great film", "label": "pos"}, {"text": "so dull", "label": "neg"}] * 8
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    model = {"type": "my_classifier", "namespace": "tags", "text_field_embedder": embedder(tiny_roberta),
             "seq2vec_encoder": {"type": "cls_pooler", "embedding_dim": 64}}
    path = write_config(tmp_path / "config.json", config(reader("text", tiny_roberta), model, str(data), str(data)))
    env = {"PYTHONPATH": str(tmp_path)}
    trained = run_cli(["allennlp", "train", path, "-s", str(tmp_path / "run"), "--include-package",
                       "my_plugin", "--include-package", "seal_adapters"], env)
    assert trained.returncode == 0, trained.stderr[-3000:]
    archive = str(tmp_path / "run" / "model.tar.gz")
    without = seal_cli("list", archive, env=env)
    assert without.returncode == 2
    assert "error: 'my_classifier' is not a registered name for 'Model'" in without.stderr
    assert "--include-package" in without.stderr
    listed = seal_cli("list", archive, "--json", "--include-package", "my_plugin", env=env)
    assert listed.returncode == 0, listed.stderr[-3000:]
    assert {row["adapter"] for row in json.loads(listed.stdout)["adapters"]} == {"scorenn", "tasknn"}


def test_model_path_names_the_bundled_model_and_refuses_a_name_found_nowhere(tmp_path, capsys, monkeypatch):
    from seal_adapters.cli import main
    from seal_adapters.embedders.model_source import bundled_model_dir

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    assert main(["model-path"]) == 0
    assert capsys.readouterr().out.strip() == bundled_model_dir()
    assert main(["model-path", "no-such-model"]) == 2
    assert ("error: 'no-such-model' is neither a local model directory nor a model in the Hugging Face cache"
            in capsys.readouterr().err)

"""`python -m seal_adapters compare` (the quick sentiment comparison and the seeded task
comparisons), in subprocesses as a user runs it, and its run configs."""
import json

import pytest

from tests.test_lifecycle_cli import seal_cli, write_rt_polarity


def test_compare_quick_writes_table_verdicts_and_plots(tmp_path):
    data = write_rt_polarity(tmp_path / "rt-polarity")
    out = tmp_path / "compare"
    result = seal_cli("compare", "--quick", "--data-dir", data, "-o", str(out),
                      "--only", "seal", "--only", "tasknn_only")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    report = json.load(open(out / "comparison.json"))
    rows = {row["name"]: row for row in report["runs"]}
    assert sorted(rows) == ["seal", "tasknn_only"]
    for row in rows.values():
        assert 0.0 <= row["test_accuracy"] <= 1.0 and row["budget"] == \
            "the first 64 training sentences, 1 epoch(s), batch 16"
    # SEAL trains two adapters and their heads, the baseline one.
    assert rows["seal"]["trainable_parameters"] > rows["tasknn_only"]["trainable_parameters"] > 0
    gap = 100 * (rows["seal"]["test_accuracy"] - rows["tasknn_only"]["test_accuracy"])
    assert f"SEAL dual adapters (seq_bn) vs single tasknn adapter, cross-entropy: {gap:+.2f} points" \
        in result.stdout
    assert "| SEAL dual adapters (seq_bn) |" in open(out / "comparison.md").read()
    for png in ("comparison.png", "curves_seal.png", "curves_tasknn_only.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png


def test_seeded_compare_quick_reports_per_seed_values_means_and_verdicts(tmp_path):
    """`compare --task multilabel --seeds 2 --quick`: four real runs (tiny BERT, 64 tweets
    of the entity-types task), every figure of the report derived from the runs' metrics."""
    import statistics

    out = tmp_path / "cmp"
    result = seal_cli("compare", "--task", "multilabel", "--seeds", "2", "--quick", "--epochs", "1",
                      "-o", str(out), "--seal-overrides", '{"model.score_loss_weight": 0.3}')
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    report = json.load(open(out / "comparison.json"))
    for variant in ("seal", "cross_entropy"):
        data = report["runs"][variant]
        tests = []
        for seed in ("1", "2"):
            metrics = json.load(open(out / variant / f"seed_{seed}" / "metrics.json"))
            assert data["seeds"][seed]["test"] == metrics["test_example_f1"]
            tests.append(metrics["test_example_f1"])
            config = json.load(open(out / variant / f"seed_{seed}" / "config.json"))
            assert config["random_seed"] == 13370 + int(seed) and config["pytorch_seed"] == 133 + int(seed)
            if variant == "seal":
                assert config["model"]["score_loss_weight"] == 0.3  # the override reached the run
        assert data["mean"] == pytest.approx(statistics.fmean(tests))
        assert data["std"] == pytest.approx(statistics.stdev(tests))
    verdicts = report["verdicts"]
    assert verdicts["seal_minus_cross_entropy"] == pytest.approx(
        100 * (report["runs"]["seal"]["mean"] - report["runs"]["cross_entropy"]["mean"]))
    assert verdicts["cross_entropy_mean"] == report["runs"]["cross_entropy"]["mean"]
    from scipy import stats

    per_seed = {v: [report["runs"][v]["seeds"][k]["test"] for k in ("1", "2")] for v in report["runs"]}
    if len(set(per_seed["seal"] + per_seed["cross_entropy"])) > 1:
        welch = stats.ttest_ind(per_seed["seal"], per_seed["cross_entropy"], equal_var=False)
        assert verdicts["welch_t"] == pytest.approx(welch.statistic)
        assert verdicts["p_value"] == pytest.approx(welch.pvalue)
    for variant in report["runs"]:  # the structure measure, per seed, from metrics.json
        metrics = json.load(open(out / variant / "seed_1" / "metrics.json"))
        assert (report["runs"][variant]["seeds"]["1"]["structure"]["unseen_label_set_rate"]
                == metrics["test_unseen_label_set_rate"])
        assert 0.0 <= metrics["test_unseen_label_set_rate"] <= 1.0
    seal_seed = report["runs"]["seal"]["seeds"]["1"]["diagnostics_per_epoch"]
    assert 0.0 <= seal_seed["scorenn_ranking_accuracy"][0] <= 1.0
    assert "diagnostics_per_epoch" not in report["runs"]["cross_entropy"]["seeds"]["1"]
    markdown = open(out / "comparison.md").read()
    assert f"{verdicts['seal_minus_cross_entropy']:.2f} points" in markdown
    assert "| unseen_label_set_rate | seal |" in markdown
    for png in ("comparison.png", "diagnostics.png", "curves_seal_seed_1.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    # The same output directory with another SEAL setting: its finished runs are not reused
    # under the new setting's name.
    before = (out / "comparison.json").read_bytes()
    other = seal_cli("compare", "--task", "multilabel", "--seeds", "2", "--quick", "--epochs", "1",
                     "-o", str(out), "--seal-overrides", '{"model.score_loss_weight": 0.5}')
    assert other.returncode != 0
    assert (f"error: {out / 'seal' / 'seed_1'} is a finished run of another config (it differs in "
            "['model']); it would be reported as this comparison's") in other.stderr, other.stderr[-2000:]
    assert (out / "comparison.json").read_bytes() == before


def test_seal_config_swaps_the_seal_run_for_a_config_extending_the_tasks(tiny_bert):
    """`compare --task ner --seal-config seal_ner_alternating.jsonnet`: the same model, losses
    and optimizer as the task's joint config, but alternating steps (each batch twice, a
    ScoreNN turn then a TaskNN turn); a name that is no config is refused, listing the configs."""
    import argparse

    from seal_adapters.cli import compare, seeded_compare

    parser = argparse.ArgumentParser()
    compare.add_arguments(parser)
    task = seeded_compare.all_tasks()["ner"]
    joint = seeded_compare.build_run_config(task, "seal", 1, tiny_bert, parser.parse_args(["--task", "ner"]))
    args = parser.parse_args(["--task", "ner", "--seal-config", "seal_ner_alternating.jsonnet"])
    alternating = seeded_compare.build_run_config(task, "seal", 1, tiny_bert, args)
    assert joint["trainer"]["callbacks"][0] == {"type": "adapter_schedule", "mode": "joint"}
    assert alternating["trainer"]["callbacks"][0] == {
        "type": "adapter_schedule", "schedule": [["scorenn", 1], ["tasknn", 1]]}
    assert alternating["data_loader"] == {
        "batch_sampler": {"type": "repeat_each_batch", "times": 2, "batch_size": 16}}
    assert joint["data_loader"] == {"batch_size": 16, "shuffle": True}
    for key in ("model", "dataset_reader", "train_data_path", "test_data_path", "random_seed"):
        assert alternating[key] == joint[key], key
    assert alternating["trainer"]["optimizer"] == joint["trainer"]["optimizer"]
    assert "--seal-config seal_ner_alternating.jsonnet" in seeded_compare.command_line(
        argparse.Namespace(**{**vars(args), "output_dir": "out"}))
    with pytest.raises(SystemExit, match=r"--seal-config seal_ner_alternate.jsonnet is neither a "
                                         r"file nor a config in training_configs/ \(there: .*seal_ner_alternating"):
        seeded_compare.check_seal_config(parser.parse_args(
            ["--task", "ner", "--seal-config", "seal_ner_alternate.jsonnet"]))


def test_compare_says_when_seal_and_the_baseline_draw_batches_differently(tiny_bert):
    """SEAL and its baseline must train on batches drawn alike: NER's configs do (random
    batches of 16; the alternating config repeats each for its two turns, the same batches),
    a SEAL run on length buckets against a shuffled baseline gets a warning naming both."""
    import argparse

    from seal_adapters.cli import compare, seeded_compare

    parser = argparse.ArgumentParser()
    compare.add_arguments(parser)
    task = seeded_compare.all_tasks()["ner"]

    def batches(*argv):
        args = parser.parse_args(["--task", "ner", *argv])
        return {v: seeded_compare.batching(seeded_compare.build_run_config(task, v, 1, tiny_bert, args))
                for v in seeded_compare.VARIANTS}

    same = batches()
    assert same == {"seal": "shuffled of 16", "cross_entropy": "shuffled of 16"}
    assert seeded_compare.batching_note(same) is None
    alternating = batches("--seal-config", "seal_ner_alternating.jsonnet")
    assert alternating["seal"] == "shuffled of 16, each repeated 2x"
    assert seeded_compare.batching_note(alternating) is None
    bucketed = batches("--seal-overrides",
                       '{"data_loader": {"batch_sampler": {"type": "bucket", "batch_size": 16}}}')
    assert bucketed["seal"] == "length buckets of 16"
    note = seeded_compare.batching_note(bucketed)
    assert "seal: length buckets of 16; cross_entropy: shuffled of 16" in note
    assert "Give both the same data_loader" in note

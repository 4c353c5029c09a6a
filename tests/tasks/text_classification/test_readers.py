"""`seal_text_jsonl` and `rt_polarity`: exact counts, splits, fields."""
import json
import os
from collections import Counter

import pytest
from allennlp.data import Vocabulary

from seal_adapters.tasks.text_classification.rt_polarity_reader import RtPolarityReader
from tests.reader_helpers import (
    FAST,
    RT_POLARITY,
    rt_dir,
    rt_reader,
    text_reader,
    words,
    write,
)


def test_text_jsonl_reads_every_line_with_text_label_and_source(sentiment_data):
    expected = [json.loads(line) for line in open(sentiment_data["train"])]
    instances = list(text_reader().read(sentiment_data["train"]))
    assert len(instances) == 96
    assert [words(i) for i in instances] == [e["text"].split() for e in expected]
    assert [i["label"].label for i in instances] == [e["label"] for e in expected]
    assert Counter(i["label"].label for i in instances) == {"pos": 48, "neg": 48}
    assert instances[4]["label"].source == f"{sentiment_data['train']}, line 5"
    assert set(instances[0].fields) == {"tokens", "label"}


def test_text_jsonl_keys_int_labels_truncation_and_prediction(tmp_path):
    path = write(tmp_path, {"d.jsonl": '{"sentence": "a b c d e", "y": 1}\n\n'
                                       '{"sentence": "f g", "y": 0}\n'}) + "/d.jsonl"
    reader = text_reader(text_key="sentence", label_key="y", max_tokens=3)
    instances = list(reader.read(path))
    assert [words(i) for i in instances] == [["a", "b", "c"], ["f", "g"]]
    assert [i["label"].label for i in instances] == ["1", "0"]  # ints become class names
    assert instances[1]["label"].source.endswith("d.jsonl, line 3")  # blank line 2 skipped
    ids = list(text_reader(text_key="sentence", label_key="y", skip_label_indexing=True)
               .read(path))
    assert [i["label"].label for i in ids] == [1, 0]
    prediction = reader.text_to_instance("x y")
    assert set(prediction.fields) == {"tokens"} and words(prediction) == ["x", "y"]


def test_rt_polarity_split_boundaries_and_interleaving(tmp_path):
    directory = rt_dir(tmp_path)  # 7 lines a file, split_sizes (3, 2, 2)
    reader = rt_reader()
    read = {split: list(reader.read(f"{directory}#{split}"))
            for split in ("train", "validation", "dev", "test")}
    assert {k: len(v) for k, v in read.items()} == {"train": 6, "validation": 4, "dev": 4,
                                                    "test": 4}
    assert [" ".join(words(i)) for i in read["train"]] == [
        "neg sentence 1", "pos sentence 1", "neg sentence 2", "pos sentence 2",
        "neg sentence 3", "pos sentence 3"]
    assert [" ".join(words(i)) for i in read["validation"]] == [
        "neg sentence 4", "pos sentence 4", "neg sentence 5", "pos sentence 5"]
    assert [i["label"].label for i in read["test"]] == ["neg", "pos", "neg", "pos"]
    assert read["test"][3]["label"].source == f"{directory}/rt-polarity.pos, line 7"
    assert [words(i) for i in read["dev"]] == [words(i) for i in read["validation"]]


def test_rt_polarity_reads_latin1_and_ignores_trailing_blank_lines(tmp_path):
    directory = write(tmp_path, {
        "rt-polarity.pos": b"caf\xe9 is good\nfine\n\n",
        "rt-polarity.neg": "na\u00efve plot\nbad\n".encode("utf-8"),
    })
    reader = rt_reader(split_sizes=(2, 0, 0))
    texts = [" ".join(words(i)) for i in reader.read(f"{directory}#train")]
    assert texts == ["na\u00efve plot", "caf\u00e9 is good", "bad", "fine"]


def test_rt_polarity_vocabulary_maps_neg_0_pos_1(tmp_path):
    reader = rt_reader()
    vocab = Vocabulary.from_instances(reader.read(f"{rt_dir(tmp_path)}#train"))
    assert vocab.get_token_to_index_vocabulary("labels") == {"neg": 0, "pos": 1}
    assert reader.text_to_instance("fine", 1)["label"].label == "pos"


@pytest.mark.skipif(not os.path.isdir(RT_POLARITY), reason="real rt-polarity data not present")
def test_rt_polarity_real_data_standard_split():
    reader = RtPolarityReader(**FAST)  # default split_sizes (4265, 533, 533)
    counts = {}
    for split in ("train", "validation", "test"):
        instances = list(reader.read(f"{RT_POLARITY}#{split}"))
        counts[split] = len(instances)
        labels = Counter(i["label"].label for i in instances)
        assert labels["pos"] == labels["neg"] == len(instances) // 2
    assert counts == {"train": 8530, "validation": 1066, "test": 1066}

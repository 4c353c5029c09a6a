"""`seal_multilabel_jsonl`: label lists."""
import json

from tests.reader_helpers import (
    multilabel_reader,
    write,
)


def test_multilabel_reads_label_lists(multilabel_data, tmp_path):
    expected = [json.loads(line) for line in open(multilabel_data["train"])]
    instances = list(multilabel_reader().read(multilabel_data["train"]))
    assert len(instances) == 128
    assert [list(i["labels"].labels) for i in instances] == [e["labels"] for e in expected]
    assert instances[0]["labels"]._label_namespace == "labels"
    path = write(tmp_path, {"m.jsonl": '{"text": "nothing here", "labels": []}\n'}) + "/m.jsonl"
    (empty,) = multilabel_reader().read(path)
    assert list(empty["labels"].labels) == []

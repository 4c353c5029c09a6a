"""Share of test tweets whose predicted label set is empty, and mean predicted / gold labels per
tweet, for finished multi-label runs (issue 23's diagnosis of SEAL's DVN TaskNN).
Usage: label_counts.py RUN_DIR..."""
import sys

import torch
from allennlp.data import DatasetReader
from allennlp.models.archival import load_archive

import seal_adapters  # noqa: F401

for directory in sys.argv[1:]:
    archive = load_archive(f"{directory}/model.tar.gz")
    config = archive.config.duplicate()
    reader = DatasetReader.from_params(config.pop("validation_dataset_reader", None) or config.pop("dataset_reader"))
    instances = list(reader.read(config["test_data_path"]))
    model = archive.model.eval()
    predicted, gold = [], []
    with torch.no_grad():
        for start in range(0, len(instances), 64):
            batch = instances[start:start + 64]
            for instance, output in zip(batch, model.forward_on_instances(batch)):
                probs = output["probs"]
                probs = list(probs.values()) if isinstance(probs, dict) else list(probs)
                predicted.append(sum(float(p) >= model.threshold for p in probs))
                gold.append(len(instance["labels"].labels))
    n = len(predicted)
    print(f"{directory}: {n} test tweets; predicted empty {sum(p == 0 for p in predicted) / n:.3f}, "
          f"gold empty {sum(g == 0 for g in gold) / n:.3f}; labels per tweet predicted "
          f"{sum(predicted) / n:.3f}, gold {sum(gold) / n:.3f}", flush=True)

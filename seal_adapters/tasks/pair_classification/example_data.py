"""Small sentence-pair files, the task's example data (tests, trying the configs without
SNLI): the premise holds a positive or negative word, the hypothesis says "the film was good"
or "... bad", and the label is `entailment` when they agree, else `contradiction`. The
training file is in SNLI's own layout (`sentence1`, `sentence2`, `gold_label`, every tenth
pair labelled `-`), validation and test in the premise/hypothesis/label layout."""
import json
import os
import random
from typing import Dict, List

POSITIVE = ["good", "great", "superb", "fine", "lovely"]
NEGATIVE = ["bad", "awful", "poor", "dull", "terrible"]
NEUTRAL = "the a film story actor scene plot music long short new old".split()


def pairs(count: int, seed: int, snli: bool = False) -> List[dict]:
    rng = random.Random(seed)
    out = []
    for index in range(count):
        positive = rng.random() < 0.5
        words = [rng.choice(NEUTRAL) for _ in range(rng.randint(3, 7))]
        words.insert(rng.randrange(len(words) + 1), rng.choice(POSITIVE if positive else NEGATIVE))
        says_good = rng.random() < 0.5
        premise, hypothesis = " ".join(words), "the film was " + ("good" if says_good else "bad")
        label = "entailment" if positive == says_good else "contradiction"
        if snli:
            out.append({"sentence1": premise, "sentence2": hypothesis,
                        "gold_label": label if index % 10 else "-"})
        else:
            out.append({"premise": premise, "hypothesis": hypothesis, "label": label})
    return out


def write_example_data(directory: str, config: str = "") -> Dict[str, str]:
    os.makedirs(directory, exist_ok=True)
    files = {}
    for split, count, seed, snli in (("train", 160, 1, True), ("validation", 48, 2, False),
                                     ("test", 48, 3, False)):
        path = os.path.join(directory, f"{split}.jsonl")
        with open(path, "w") as handle:
            handle.writelines(json.dumps(pair) + "\n" for pair in pairs(count, seed, snli))
        files[split] = path
    return files

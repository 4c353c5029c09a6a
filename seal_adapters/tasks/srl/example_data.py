"""Small CoNLL-2012 *gold_conll files written in the exact column layout: the task's example
data (tests, trying the configs without OntoNotes).

Sentences follow patterns with a learnable role structure: "<agent> <verb> <patient> [at
<time>]" and "<patient> was <verb> by <agent>", one or two predicates a sentence."""
import os
import random
from typing import Dict, List, Tuple

AGENTS = [["John"], ["Mary"], ["the", "old", "doctor"], ["a", "teacher"], ["Paris", "officials"]]
PATIENTS = [["the", "book"], ["a", "letter"], ["the", "car"], ["dinner"], ["the", "report"]]
TIMES = [["yesterday"], ["on", "Monday"], ["last", "week"]]
VERBS = [("reads", "read"), ("writes", "write"), ("sells", "sell"), ("makes", "make")]
PASSIVE = {"read": "read", "write": "written", "sell": "sold", "make": "made"}


def span(words: List[str], label: str) -> List[str]:
    if len(words) == 1:
        return [f"({label}*)"]
    return [f"({label}*"] + ["*"] * (len(words) - 2) + ["*)"]


def sentence(rng: random.Random) -> Tuple[List[str], List[List[str]]]:
    """Words and one argument column per predicate."""
    agent, patient = rng.choice(AGENTS), rng.choice(PATIENTS)
    verb, lemma = rng.choice(VERBS)
    if rng.random() < 0.3:  # passive: patient first
        words = patient + ["was", PASSIVE[lemma], "by"] + agent
        column = span(patient, "ARG1") + ["*", "(V*)", "*"] + span(agent, "ARG0")
        return words + ["."], [column + ["*"]]
    time = rng.choice(TIMES) if rng.random() < 0.5 else []
    words = agent + [verb] + patient + time
    column = span(agent, "ARG0") + ["(V*)"] + span(patient, "ARG1") + (span(time, "ARGM-TMP") if time else [])
    columns = [column + ["*"]]
    if rng.random() < 0.4:  # a second clause with its own predicate
        verb2, _ = rng.choice(VERBS)
        patient2 = rng.choice(PATIENTS)
        first = len(words)
        words = words + ["and", verb2] + patient2
        columns = [c + ["*"] * (2 + len(patient2)) for c in columns]
        second = ["*"] * first + ["*", "(V*)"] + span(patient2, "ARG1")
        columns.append(second + ["*"])
    return words + ["."], columns


def write_gold_conll(path: str, count: int, seed: int) -> str:
    rng = random.Random(seed)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as handle:
        handle.write("#begin document (synthetic/doc); part 000\n")
        for _ in range(count):
            words, columns = sentence(rng)
            for number, word in enumerate(words):
                cells = ["synthetic/doc", "0", str(number), word, "XX", "*", "-", "-", "-", "-", "*"]
                cells += [column[number] for column in columns] + ["-"]
                handle.write("   ".join(cells) + "\n")
            handle.write("\n")
        handle.write("#end document\n")
    return path


def write_example_data(directory: str, config: str = "") -> Dict[str, str]:
    """train (a directory walked for *gold_conll files, as OntoNotes' layout), validation and
    test files in `directory`."""
    return {"train": os.path.dirname(write_gold_conll(os.path.join(directory, "train", "a_gold_conll"), 160, 1)),
            "validation": write_gold_conll(os.path.join(directory, "dev.gold_conll"), 40, 2),
            "test": write_gold_conll(os.path.join(directory, "test.gold_conll"), 40, 3)}

"""Decoding a tagger's output without invalid transitions (an option of `seal_tagger`).

The transitions a tag scheme allows are allennlp's (`allowed_transitions`, as its CRF
tagger uses them); the best sequence under them is allennlp's `viterbi_decode` over the
TaskNN's per-word log-probabilities, forbidden transitions scored -inf.
"""
from typing import List, NamedTuple

import torch
from allennlp.modules.conditional_random_field import allowed_transitions
from allennlp.nn.util import viterbi_decode


class Constraints(NamedTuple):
    transitions: torch.Tensor  # [tags, tags]: 0 allowed, -inf forbidden
    start: torch.Tensor  # [tags]
    end: torch.Tensor  # [tags]


def transition_constraints(labels: List[str], label_encoding: str) -> Constraints:
    size = len(labels)
    allowed = torch.full((size + 2, size + 2), float("-inf"))
    for source, target in allowed_transitions(label_encoding, dict(enumerate(labels))):
        allowed[source, target] = 0.0
    return Constraints(allowed[:size, :size], allowed[size, :size], allowed[:size, size + 1])


def constrained_paths(log_probs: torch.Tensor, mask: torch.Tensor,
                      constraints: Constraints) -> List[List[int]]:
    """The best valid tag sequence of each sentence (its unmasked words)."""
    paths = []
    for scores, length in zip(log_probs.cpu(), mask.long().sum(-1).tolist()):
        if length == 0:
            paths.append([])
            continue
        path, _ = viterbi_decode(scores[:length], constraints.transitions,
                                 allowed_start_transitions=constraints.start,
                                 allowed_end_transitions=constraints.end)
        paths.append(path)
    return paths

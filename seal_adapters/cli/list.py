"""`list`: the adapters in an archive, their configs, parameter counts and sizes."""
import json

from seal_adapters.cli.archive_utils import adapters_and_heads, open_archive
from seal_adapters.embedders.channels import adapter_backbones


def add_arguments(parser):
    parser.add_argument("archive", help="model.tar.gz written by allennlp train")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def describe(model):
    """One row per adapter, and the frozen backbone's parameter count."""
    backbone = adapter_backbones(model)[0]
    rows = []
    for name, (_, heads) in adapters_and_heads(model).items():
        tensors = backbone.adapter_parameters(name)
        config = backbone.model.adapters_config.get(name)
        rows.append({
            "adapter": name,
            "architecture": type(config).__name__,
            "config": config.to_dict() if hasattr(config, "to_dict") else dict(config),
            "parameters": sum(t.numel() for t in tensors),
            "head_parameters": sum(p.numel() for _, p in heads),
            "bytes": sum(t.numel() * t.element_size() for t in tensors),
        })
    base = sum(p.numel() for p in backbone.model.parameters() if not p.requires_grad)
    return rows, base


def run(args):
    model = open_archive(args.archive).model
    rows, base = describe(model)
    if args.json:
        print(json.dumps({"adapters": rows, "backbone_parameters": base}, indent=2, default=str))
        return
    print(f"{'adapter':<12} {'architecture':<16} {'parameters':>11} {'head params':>11} {'size':>10}")
    for row in rows:
        print(f"{row['adapter']:<12} {row['architecture']:<16} {row['parameters']:>11,} "
              f"{row['head_parameters']:>11,} {row['bytes'] / 1024:>8.1f}KB")
    print(f"frozen backbone: {base:,} parameters")

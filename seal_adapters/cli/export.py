"""`export`: each trained adapter of an archive to a directory plain `adapters` loads.

`OUT/<adapter>/` holds adapters' own files (adapter_config.json, adapter.safetensors,
pytorch_adapter.bin) plus `head.safetensors` with the model parameters named after that
adapter (its TaskNN or ScoreNN head), under their model parameter names. Each adapter's
directory that an earlier export wrote is replaced only with `--force`, and then whole (see
embedders/export.py), so no file of the earlier export stays.
"""
import os

from safetensors.torch import save_file

from seal_adapters.cli.archive_utils import adapters_and_heads, open_archive
from seal_adapters.embedders.export import export_adapters


def add_arguments(parser):
    parser.add_argument("archive", help="model.tar.gz written by allennlp train")
    parser.add_argument("output_dir", help="directory to write one sub-directory per adapter into")
    parser.add_argument("--adapter", action="append", help="export only this adapter (repeatable)")
    parser.add_argument("--force", action="store_true",
                        help="replace adapter directories of an earlier export (each whole)")


def run(args):
    model = open_archive(args.archive).model
    heads = adapters_and_heads(model)
    counts = {}

    def add_head(name, directory):
        head = {n: p.detach().contiguous() for n, p in heads[name][1]}
        if head:
            save_file(head, os.path.join(directory, "head.safetensors"))
        counts[name] = len(head)

    written = export_adapters(model, args.output_dir, names=args.adapter, extra=add_head,
                              replace=args.force)
    for name, directory in written.items():
        print(f"{name}: {directory} ({counts[name]} head tensors)")

"""Fixes that make allennlp 2.10.1 run on torch 2.13 / transformers 4.57.

The fixes live in `startup.py`, which `seal_adapters_compat.pth` loads at interpreter
start-up; importing this package installs them too, for programs that were started
without the `.pth` file (for example from a source checkout on `PYTHONPATH`).
"""
from seal_adapters.compat.pth import PTH_NAME, pth_line
from seal_adapters.compat.startup import DISABLE_ENV, PATCHES, install

install()


__all__ = ["DISABLE_ENV", "PATCHES", "PTH_NAME", "install", "pth_line"]

"""Reports on training runs: per-step history, run metrics, model sizes, tables and plots.

Why a package of its own: `demo` and `compare` both read finished runs the same way and
draw the same pictures. Modules import matplotlib (Agg) lazily, so importing the package,
as `allennlp --include-package seal_adapters` does, stays cheap.
"""

"""seal_adapters: an AllenNLP plugin for SEAL training with two adapters on one frozen backbone.

Installing also writes `seal_adapters_compat.pth` into site-packages (for `pip install .`
and `pip install -e .` alike): it installs the allennlp compatibility hook at interpreter
start-up, see seal_adapters/compat/startup.py. Use `make install`, which also installs
allennlp with --no-deps (its own pins, torch<1.13 and transformers<4.21, cannot be met).
"""
import importlib.util
import os

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_pth_module():
    path = os.path.join(HERE, "seal_adapters", "compat", "pth.py")
    spec = importlib.util.spec_from_file_location("_seal_adapters_pth", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithPth(build_py):
    """Puts the start-up `.pth` file at the root of the wheel, i.e. into site-packages."""

    def run(self):
        super().run()
        target = self.build_lib
        if getattr(self, "editable_mode", False):
            # PEP 660 editable wheels are assembled from install_lib, not build_lib.
            target = self.distribution.get_command_obj("install").install_lib or target
        pth = _load_pth_module()
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, pth.PTH_NAME), "w") as handle:
            handle.write(pth.pth_line())


setup(
    name="seal_adapters",
    version="0.1.0",
    description="AllenNLP plugin: SEAL (Structured Energy As Loss) with two adapters "
    "(scorenn, tasknn) on one frozen transformer",
    long_description=open(os.path.join(HERE, "README.md")).read()
    if os.path.exists(os.path.join(HERE, "README.md"))
    else "",
    long_description_content_type="text/markdown",
    packages=find_packages(include=["seal_adapters", "seal_adapters.*"]),
    python_requires=">=3.10",
    install_requires=[
        "torch==2.13.0",
        "transformers==4.57.6",
        "adapters==1.3.0",
        "huggingface-hub>=0.34,<1.0",
        "jsonnet",
    ],
    entry_points={"console_scripts": ["seal-adapters=seal_adapters.__main__:main"]},
    cmdclass={"build_py": BuildPyWithPth},
)

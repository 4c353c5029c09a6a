"""Where the sentence polarity data is: `--data-dir`, else `$SEAL_DATA_DIR`, else
`../shared/data/rt-polarity` next to the repository, if that exists.

Why not a fixed path: the data is not shipped (Pang & Lee's licence terms are theirs), so a
user puts the two files where they like and says so once.
"""
import os
from typing import Optional

FILES = ("rt-polarity.pos", "rt-polarity.neg")
ENV = "SEAL_DATA_DIR"


def repo_root() -> str:
    """The checkout this package runs from (it holds training_configs/), else the cwd."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return here if os.path.isdir(os.path.join(here, "training_configs")) else os.getcwd()


def default_data_dir() -> str:
    return os.path.normpath(os.path.join(repo_root(), "..", "shared", "data", "rt-polarity"))


def resolve_data_dir(given: Optional[str]) -> str:
    """The directory to read; raises SystemExit with one line saying what to do if the two
    files are not there."""
    source = given or os.environ.get(ENV) or default_data_dir()
    directory = os.path.abspath(os.path.expanduser(source))
    missing = [f for f in FILES if not os.path.isfile(os.path.join(directory, f))]
    if missing:
        raise SystemExit(
            f"error: sentence polarity data not found: put {' and '.join(FILES)} (v1.0, "
            f"https://www.cs.cornell.edu/people/pabo/movie-review-data/) in {directory}, or "
            f"point --data-dir or {ENV} at the directory that holds them")
    return directory

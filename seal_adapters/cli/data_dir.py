"""Where the sentence polarity data is: `--data-dir`, else `$SEAL_DATA_DIR`, else
`../shared/data/rt-polarity` next to the repository, else the download cache, which is filled
from the release's home page when empty (rt_polarity_download.py).

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


def _has_files(directory: str) -> bool:
    return all(os.path.isfile(os.path.join(directory, f)) for f in FILES)


def resolve_data_dir(given: Optional[str]) -> str:
    """The directory to read; raises SystemExit with one line saying what to do if the two
    files are not there and cannot be downloaded."""
    from seal_adapters.cli import rt_polarity_download as download

    source = given or os.environ.get(ENV)
    if source is None:
        cache = download.cache_dir()
        for candidate in (default_data_dir(), cache):
            if _has_files(candidate):
                return candidate
        try:
            download.download(cache)
        except download.DownloadError as error:
            raise SystemExit(
                f"error: sentence polarity data not found and {error}: put {' and '.join(FILES)} "
                f"(v1.0) in {cache}, or point --data-dir or {ENV} at the directory that holds "
                "them") from None
        print(f"Downloaded sentence polarity v1.0 from {download.url()} into {cache}", flush=True)
        return cache
    directory = os.path.abspath(os.path.expanduser(source))
    if not _has_files(directory):
        raise SystemExit(
            f"error: sentence polarity data not found: put {' and '.join(FILES)} (v1.0, "
            f"https://www.cs.cornell.edu/people/pabo/movie-review-data/) in {directory}, or "
            f"point --data-dir or {ENV} at the directory that holds them")
    return directory

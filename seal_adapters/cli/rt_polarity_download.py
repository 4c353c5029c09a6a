"""Fetching sentence polarity v1.0 when no copy is found, so `make demo` runs anywhere.

The tarball from its home page (`SEAL_RT_POLARITY_URL` overrides the address) is checked
before anything is kept: a gzip tar holding `rt-polarity.pos` and `rt-polarity.neg`, each
with the release's 5,331 lines, in UTF-8 or in the original latin-1. The two files are then
written, each atomically, into `$XDG_CACHE_HOME/seal_adapters/rt-polarity` (default
`~/.cache/...`), which later runs find first.
"""
import io
import os
import tarfile
import urllib.error
import urllib.request
from typing import Dict

from seal_adapters.data.errors import DataError, decode_text
from seal_adapters.training.atomic_files import write_atomically

URL = "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
URL_ENV = "SEAL_RT_POLARITY_URL"
LINES = 5331
MAX_BYTES = 20 * 1024 * 1024  # the release is under 1 MB


class DownloadError(Exception):
    """The data could not be fetched or is not the release; the message says why."""


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "seal_adapters", "rt-polarity")


def url() -> str:
    return os.environ.get(URL_ENV) or URL


def fetch(address: str) -> bytes:
    try:
        with urllib.request.urlopen(address, timeout=60) as response:
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise DownloadError(f"could not download {address} ({reason})") from None
    if len(data) > MAX_BYTES:
        raise DownloadError(f"{address} is larger than {MAX_BYTES // 2**20} MB: not the v1.0 tarball")
    return data


def release_files(data: bytes, address: str) -> Dict[str, bytes]:
    """`{"rt-polarity.pos": bytes, "rt-polarity.neg": bytes}` from the tarball, checked."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            members = {os.path.basename(m.name): m for m in archive.getmembers() if m.isfile()}
            files = {}
            for name in ("rt-polarity.pos", "rt-polarity.neg"):
                if name not in members:
                    raise DownloadError(f"{address} has no {name}: not the sentence polarity v1.0 tarball")
                files[name] = archive.extractfile(members[name]).read()
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DownloadError(f"{address} is not a complete .tar.gz ({error})") from None
    for name, raw in files.items():
        try:
            lines = decode_text(raw, name).rstrip("\n").split("\n")
        except DataError as error:
            raise DownloadError(f"{address}: {error}") from None
        if len(lines) != LINES:
            raise DownloadError(f"{address}: {name} has {len(lines)} lines, the v1.0 release {LINES}")
    return files


def download(directory: str) -> str:
    """Fetches, checks and writes both files into `directory`; returns it."""
    address = url()
    files = release_files(fetch(address), address)
    os.makedirs(directory, exist_ok=True)
    for name, raw in files.items():
        write_atomically(os.path.join(directory, name), lambda temporary, raw=raw: _write(temporary, raw))
    return directory


def _write(path: str, raw: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(raw)

"""`make demo` on a machine without the data: the release is downloaded (here from a local
HTTP server on 127.0.0.1), checked, cached under XDG_CACHE_HOME and read; a bad or missing
download fails in one line that says where to put the files."""
import http.server
import io
import os
import tarfile
import threading

import pytest

from seal_adapters.cli import data_dir
from seal_adapters.cli.rt_polarity_download import LINES
from seal_adapters.data.errors import read_lines


def tarball(lines=LINES, encoding="latin-1") -> bytes:
    """The release's layout: rt-polaritydata/rt-polarity.{pos,neg}, latin-1 like the original."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for label in ("pos", "neg"):
            text = "".join(f"a {label} caf\u00e9 sentence {i}\n" for i in range(lines)).encode(encoding)
            info = tarfile.TarInfo(f"rt-polaritydata/rt-polarity.{label}")
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text))
    return buffer.getvalue()


@pytest.fixture
def server():
    """Serves `served["body"]` at /rt-polaritydata.tar.gz; yields (url, served, requests)."""
    served, requests = {"body": b""}, []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(served["body"])))
            self.end_headers()
            self.wfile.write(served["body"])

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/rt-polaritydata.tar.gz", served, requests
    httpd.shutdown()


@pytest.fixture
def no_local_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("SEAL_DATA_DIR", raising=False)
    monkeypatch.setattr(data_dir, "default_data_dir", lambda: str(tmp_path / "not_here"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "seal_adapters" / "rt-polarity"


def test_missing_data_is_downloaded_checked_cached_and_read(server, no_local_copy, monkeypatch, capsys):
    address, served, requests = server
    served["body"] = tarball()
    monkeypatch.setenv("SEAL_RT_POLARITY_URL", address)
    directory = data_dir.resolve_data_dir(None)
    assert directory == str(no_local_copy)
    assert sorted(os.listdir(directory)) == ["rt-polarity.neg", "rt-polarity.pos"]  # no partial files
    assert f"Downloaded sentence polarity v1.0 from {address}" in capsys.readouterr().out
    first = open(os.path.join(directory, "rt-polarity.pos"), "rb").read().split(b"\n")[0]
    assert first == "a pos caf\u00e9 sentence 0".encode("latin-1")  # kept as released
    lines = read_lines(os.path.join(directory, "rt-polarity.pos"), "the release file")
    assert len(lines) == LINES and lines[0] == "a pos caf\u00e9 sentence 0"  # latin-1 read right
    # The cache is found next time: no second request.
    assert data_dir.resolve_data_dir(None) == directory and len(requests) == 1
    # --data-dir and SEAL_DATA_DIR still win.
    assert data_dir.resolve_data_dir(directory) == directory


@pytest.mark.parametrize("body, expected", [
    (tarball(lines=100), "rt-polarity.pos has 100 lines, the v1.0 release 5331"),
    (tarball()[:2000], "is not a complete .tar.gz"),
    (b"<html>moved</html>", "is not a complete .tar.gz"),
])
def test_a_bad_download_is_refused_in_one_line_and_nothing_is_cached(server, no_local_copy, monkeypatch,
                                                                     body, expected):
    address, served, _ = server
    served["body"] = body
    monkeypatch.setenv("SEAL_RT_POLARITY_URL", address)
    with pytest.raises(SystemExit) as error:
        data_dir.resolve_data_dir(None)
    message = str(error.value)
    assert "\n" not in message and expected in message
    assert f"put rt-polarity.pos and rt-polarity.neg (v1.0) in {no_local_copy}" in message
    assert not no_local_copy.exists() or not os.listdir(no_local_copy)


def test_offline_without_a_cache_fails_in_one_line(no_local_copy, monkeypatch):
    monkeypatch.setenv("SEAL_RT_POLARITY_URL", "http://127.0.0.1:9/rt-polaritydata.tar.gz")  # discard port
    with pytest.raises(SystemExit) as error:
        data_dir.resolve_data_dir(None)
    message = str(error.value)
    assert message.startswith("error: sentence polarity data not found and could not download "
                              "http://127.0.0.1:9/rt-polaritydata.tar.gz (")
    assert "\n" not in message and "--data-dir or SEAL_DATA_DIR" in message

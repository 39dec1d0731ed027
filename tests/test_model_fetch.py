"""`beckon models fetch` downloads for real: here from an HTTP server on loopback that serves
the same files as the published address (this machine cannot reach the internet)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from beckon import modelstore
from beckon.errors import ModelError

SHARED_MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving a folder; yields its base URL and the folder."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()


def point_manifest_at(monkeypatch: pytest.MonkeyPatch, base: str) -> modelstore.ModelSpec:
    spec = modelstore.load_manifest()["face_landmarker"]
    local = replace(spec, url=f"{base}/{spec.file}")
    monkeypatch.setattr(modelstore, "load_manifest", lambda: {local.name: local})
    return local


def test_fetch_downloads_verifies_and_reports_progress(served, monkeypatch, tmp_path):
    base, folder = served
    (folder / "face_landmarker.task").write_bytes(
        (SHARED_MODELS / "face_landmarker.task").read_bytes()
    )
    spec = point_manifest_at(monkeypatch, base)
    seen: list[int] = []
    results = modelstore.fetch(
        target=tmp_path / "models", progress=lambda s, done, total: seen.append(done)
    )
    assert [(r.spec.name, r.state) for r in results] == [("face_landmarker", "ok")]
    assert modelstore.status(spec, tmp_path / "models").state == "ok"
    assert seen and seen[-1] == spec.size and seen == sorted(seen)


def test_fetch_refuses_a_download_that_does_not_match_the_manifest(served, monkeypatch, tmp_path):
    base, folder = served
    tampered = bytearray((SHARED_MODELS / "face_landmarker.task").read_bytes())
    tampered[5000] ^= 0xFF
    (folder / "face_landmarker.task").write_bytes(bytes(tampered))
    point_manifest_at(monkeypatch, base)
    with pytest.raises(ModelError, match="does not match the manifest"):
        modelstore.fetch(target=tmp_path / "models")
    assert not (tmp_path / "models" / "face_landmarker.task").exists()

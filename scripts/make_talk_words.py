"""Write ``src/beckon/data/talk/{en,ko}.txt``: a language's most common words with their
unigram probabilities (log10), the everyday talk a catalog sentence must beat.

- ``en``: from the US-English language model that PocketSphinx ships (the PocketSphinx
  English engine lets ordinary talk come out as these words, see ``beckon.voice.talk``).
- ``ko``: from wordfreq's Korean list (``pip install wordfreq``; its data is CC BY-SA 4.0,
  docs/voice.md), words of Hangul only, as wordfreq splits them (particles and endings on
  their own, as the Korean Vosk model does). The Vosk engine puts the common ones it knows
  into its grammar as filler words (``beckon.voice.engines.VoskFiller``).

Run again only to change a list's size:

    python scripts/make_talk_words.py [--lang en|ko] [--size 5000]
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "beckon" / "data" / "talk"
WORD = re.compile(r"[a-z]+('[a-z]+)?")
HANGUL = re.compile(r"[가-힣]+")


def english(size: int) -> tuple[list[tuple[float, str]], str]:
    import pocketsphinx

    folder = Path(pocketsphinx.get_model_path()) / "en-us"
    lm = pocketsphinx.NGramModel(
        pocketsphinx.Config(), pocketsphinx.LogMath(), str(folder / "en-us.lm.bin")
    )
    words = set()
    for line in (folder / "cmudict-en-us.dict").read_text(encoding="utf-8").splitlines():
        word = line.split(" ", 1)[0]
        if WORD.fullmatch(word):
            words.add(word)
    # NGramModel.prob gives log base 1.0001; the file keeps log10 like an ARPA file.
    scale = math.log10(1.0001)
    ranked = sorted(((lm.prob([w]) * scale, w) for w in words), reverse=True)[:size]
    header = (
        "# The most common English words and their log10 unigram probabilities, from the\n"
        "# US-English language model bundled with PocketSphinx (CMU, BSD-style licence).\n"
        "# Written by scripts/make_talk_words.py; used by beckon.voice.talk.\n"
    )
    return ranked, header


def korean(size: int) -> tuple[list[tuple[float, str]], str]:
    import wordfreq

    freq = wordfreq.get_frequency_dict("ko", "small")
    words = [w for w in freq if HANGUL.fullmatch(w)]
    ranked = sorted(((math.log10(freq[w]), w) for w in words), reverse=True)[:size]
    header = (
        "# The most common Korean words (as wordfreq splits them) and their log10 frequencies,\n"
        "# from wordfreq 3.1 (Robyn Speer; its data is CC BY-SA 4.0: this list is too).\n"
        "# Written by scripts/make_talk_words.py --lang ko; used by beckon.voice.engines.\n"
    )
    return ranked, header


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=("en", "ko"), default="en")
    parser.add_argument("--size", type=int, default=5000, help="how many words (default 5000)")
    args = parser.parse_args()
    ranked, header = (english if args.lang == "en" else korean)(args.size)
    out = DATA / f"{args.lang}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + "".join(f"{w} {p:.4f}\n" for p, w in ranked), encoding="utf-8")
    print(f"wrote {len(ranked)} words to {out}")


if __name__ == "__main__":
    main()

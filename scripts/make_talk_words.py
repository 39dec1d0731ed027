"""Write ``src/beckon/data/talk/en.txt``: the most common English words with their unigram
probabilities, taken from the US-English language model that PocketSphinx ships.

The PocketSphinx English engine lets ordinary talk come out as these words (see
``beckon.voice.talk``). Run again only to change the list's size:

    python scripts/make_talk_words.py [--size 5000]
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "beckon" / "data" / "talk" / "en.txt"
WORD = re.compile(r"[a-z]+('[a-z]+)?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=5000, help="how many words (default 5000)")
    args = parser.parse_args()

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
    ranked = sorted(((lm.prob([w]) * scale, w) for w in words), reverse=True)[: args.size]
    header = (
        "# The most common English words and their log10 unigram probabilities, from the\n"
        "# US-English language model bundled with PocketSphinx (CMU, BSD-style licence).\n"
        "# Written by scripts/make_talk_words.py; used by beckon.voice.talk.\n"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(header + "".join(f"{w} {p:.4f}\n" for p, w in ranked), encoding="utf-8")
    print(f"wrote {len(ranked)} words to {OUT}")


if __name__ == "__main__":
    main()

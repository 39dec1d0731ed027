"""The intent catalog as the voice path sees it: codes, priorities and spoken templates.

The catalog is data (``beckon/data/intents.toml``) so that a hospital can add a phrasing or a
language without touching code. Templates are expanded here into plain sentences, which feed
both the recogniser's grammar and the template matcher; everything is validated on load so a
typo in the file stops start-up with the entry named, instead of silently never matching.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from beckon.errors import ConfigError
from beckon.intents import Intent, parse_entry, parse_toml, read_catalog

CONTROL_CODES = ("yes", "no", "cancel")
# The answers that must never be confused, each with what would be its opposite: a "yes"
# taken for no or cancel drops a request the patient wanted, a "no" or "cancel" taken for yes
# sends one they declined.
OPPOSITE_ANSWERS: dict[str, frozenset[str]] = {
    "yes": frozenset({"no", "cancel"}),
    "no": frozenset({"yes"}),
    "cancel": frozenset({"yes"}),
}
# The answers that turn a request down: a request heard where the patient may have said one of
# them must not become a proposal ("아니" is heard by Vosk's Korean grammar as "아파", `pain`,
# with "아니요" one path below).
DECLINING_ANSWERS = frozenset({"no", "cancel"})
MAX_EXPANSIONS = 200  # per template: a guard against a template that explodes combinatorially

_LANG = re.compile(r"^[a-z]{2,3}$")
_TOKEN = re.compile(r"\s*(\[|\]|\(|\)|\||[^\s\[\]()|]+)")
_PUNCT = re.compile(r"[^\w\s']", re.UNICODE)


def normalize(text: str) -> str:
    """Lower case, NFC, punctuation removed, single spaces: the form transcripts are compared in."""
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    return " ".join(_PUNCT.sub(" ", text).split())


@dataclass(frozen=True)
class Catalog:
    """All intents and decoy words; ``languages`` are those every intent has phrases for."""

    intents: dict[str, Intent]
    decoys: dict[str, tuple[str, ...]]
    languages: tuple[str, ...]
    source: str = "<catalog>"
    _sentence_index: dict[str, list[tuple[str, str]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def sentences(self, language: str) -> list[tuple[str, str]]:
        """Every (sentence, intent code) pair for a language, in catalog order."""
        if language not in self._sentence_index:
            self._require(language)
            self._sentence_index[language] = [
                (s, code)
                for code, intent in self.intents.items()
                for s in intent.sentences.get(language, ())
            ]
        return self._sentence_index[language]

    def vocabulary(self, language: str, with_decoys: bool = True) -> set[str]:
        """Every word the recogniser must know for this language."""
        words = {w for s, _ in self.sentences(language) for w in s.split()}
        if with_decoys:
            words.update(self.decoys.get(language, ()))
        return words

    def requests(self) -> list[Intent]:
        return [i for i in self.intents.values() if i.kind == "request"]

    def answer_codes(self) -> tuple[str, ...]:
        """What the answer mode listens for: yes, no and cancel, and every emergency request.

        While a proposal or a nurse's question waits, the recogniser hears only answers (so
        "no" is not taken for "now"), but a patient who says "I can't breathe" then must not
        be ignored until the question lapses."""
        emergencies = tuple(c for c, i in self.intents.items() if i.is_emergency)
        return CONTROL_CODES + emergencies

    def _require(self, language: str) -> None:
        if language not in self.languages:
            raise ConfigError(
                f"{self.source}: no phrases for language {language!r}; "
                f"the catalog has {', '.join(self.languages)}"
            )


# ---------------------------------------------------------------- templates


def expand(template: str) -> list[str]:
    """Expand ``[optional]`` and ``(a | b)`` into plain, normalised sentences.

    Raises ValueError with a short reason for unbalanced brackets or an empty alternative.
    """
    tokens = [m.group(1) for m in _TOKEN.finditer(template)]
    if "".join(tokens) != "".join(template.split()):
        raise ValueError("unexpected characters")
    pos = 0

    def seq(closers: str) -> list[list[str]]:
        nonlocal pos
        results: list[list[str]] = [[]]
        while pos < len(tokens) and tokens[pos] not in closers:
            tok = tokens[pos]
            pos += 1
            if tok == "[":
                inner = alternatives("]")
                options = [[], *inner]
            elif tok == "(":
                options = alternatives(")")
            elif tok in "])|":
                raise ValueError(f"unexpected {tok!r}")
            else:
                options = [normalize(tok).split()]
            results = [r + o for r in results for o in options]
            if len(results) > MAX_EXPANSIONS:
                raise ValueError(f"expands to more than {MAX_EXPANSIONS} sentences")
        return results

    def alternatives(closer: str) -> list[list[str]]:
        nonlocal pos
        alts: list[list[str]] = []
        while True:
            branch = seq("|" + closer)
            if not any(branch):
                raise ValueError("empty alternative")
            alts.extend(branch)
            if pos >= len(tokens):
                raise ValueError(f"missing {closer!r}")
            tok = tokens[pos]
            pos += 1
            if tok == closer:
                return alts
            # tok == "|": next alternative

    out = seq("")
    if pos != len(tokens):
        raise ValueError(f"unexpected {tokens[pos]!r}")
    sentences = [" ".join(words) for words in out if words]
    if not sentences:
        raise ValueError("the template has no words")
    return list(dict.fromkeys(sentences))


# ---------------------------------------------------------------- loading


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate the catalog (the packaged one unless a path is given)."""
    source, data = read_catalog(path)
    return _catalog(data, source)


def parse_catalog(text: str, source: str = "<catalog>") -> Catalog:
    """Parse catalog TOML; every error names the entry and what is expected."""
    return _catalog(parse_toml(text, source), source)


def _catalog(data: dict[str, Any], source: str) -> Catalog:
    raw_intents = data.get("intents")
    if not isinstance(raw_intents, dict) or not raw_intents:
        raise ConfigError(f"{source}: no [intents.*] tables")
    intents = {code: _parse_intent(code, entry, source) for code, entry in raw_intents.items()}
    missing = [c for c in CONTROL_CODES if c not in intents or intents[c].kind != "control"]
    if missing:
        raise ConfigError(
            f"{source}: the dialogue needs control intents {missing} "
            '(kind = "control") to confirm and cancel requests'
        )
    languages = sorted({lang for i in intents.values() for lang in i.sentences})
    for lang in languages:
        lacking = [c for c, i in intents.items() if lang not in i.sentences]
        if lacking:
            raise ConfigError(
                f"{source}: intents {lacking} have no phrases.{lang}; every intent needs "
                f"phrases in every language of the catalog"
            )
        _check_unique(intents, lang, source)
    decoys = _parse_decoys(data.get("decoys", {}), source, intents, languages)
    return Catalog(intents, decoys, tuple(languages), source)


def _parse_intent(code: str, entry: Any, source: str) -> Intent:
    where = f"{source}: intents.{code}"
    base = parse_entry(code, entry, where)
    phrases = entry.get("phrases")
    if not isinstance(phrases, dict) or not phrases:
        raise ConfigError(f'{where}.phrases must be a table of language = ["template", ...]')
    templates: dict[str, tuple[str, ...]] = {}
    sentences: dict[str, tuple[str, ...]] = {}
    for lang, items in phrases.items():
        if not _LANG.fullmatch(lang):
            raise ConfigError(f"{where}.phrases: {lang!r} is not a language code such as 'en'")
        if not isinstance(items, list) or not items or not all(isinstance(t, str) for t in items):
            raise ConfigError(f"{where}.phrases.{lang} must be a non-empty list of templates")
        expanded: list[str] = []
        for template in items:
            try:
                expanded.extend(expand(template))
            except ValueError as exc:
                raise ConfigError(f"{where}.phrases.{lang}: template {template!r}: {exc}") from None
        templates[lang] = tuple(items)
        sentences[lang] = tuple(dict.fromkeys(expanded))
    unknown = {k for k in entry if k not in {"kind", "priority", "text", "say", "phrases"}}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
    return replace(base, templates=templates, sentences=sentences)


def _check_unique(intents: dict[str, Intent], lang: str, source: str) -> None:
    """The same sentence under two intents would make a match ambiguous: refuse it."""
    owner: dict[str, str] = {}
    for code, intent in intents.items():
        for sentence in intent.sentences[lang]:
            other = owner.setdefault(sentence, code)
            if other != code:
                raise ConfigError(
                    f"{source}: the {lang} sentence {sentence!r} belongs to both "
                    f"{other!r} and {code!r}"
                )


def _parse_decoys(
    raw: Any, source: str, intents: dict[str, Intent], languages: list[str]
) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: [decoys] must be a table of language = [words]")
    decoys: dict[str, tuple[str, ...]] = {}
    for lang, words in raw.items():
        if lang not in languages:
            raise ConfigError(f"{source}: decoys.{lang}: no intent has phrases in {lang!r}")
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ConfigError(f"{source}: decoys.{lang} must be a list of words")
        cleaned = [normalize(w) for w in words]
        bad = [w for w, c in zip(words, cleaned, strict=True) if not c or " " in c]
        if bad:
            raise ConfigError(f"{source}: decoys.{lang}: {bad} are not single words")
        whole = {s for i in intents.values() for s in i.sentences[lang]}
        clash = [w for w in cleaned if w in whole]
        if clash:
            raise ConfigError(
                f"{source}: decoys.{lang}: {clash} are whole sentences of an intent; a decoy "
                "must never be a request on its own"
            )
        decoys[lang] = tuple(dict.fromkeys(cleaned))
    return decoys

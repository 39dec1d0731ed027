"""The examples in docs/protocol.md are valid messages, and it names every topic and field."""

from __future__ import annotations

import json
import re

from beckon.messaging import protocol as p
from tests.helpers.deploy import (
    PROTOCOL_DOC,
)

# ---------------------------------------------------------------- docs/protocol.md


def _doc() -> str:
    return PROTOCOL_DOC.read_text(encoding="utf-8")


def test_protocol_doc_examples_decode() -> None:
    blocks = re.findall(r"```json\n(.*?)```", _doc(), flags=re.DOTALL)
    assert len(blocks) >= len(p.message_fields())
    kinds = set()
    for block in blocks:
        payload = json.dumps(json.loads(block), separators=(",", ":")).encode()
        msg = p.decode(payload)
        kinds.add(json.loads(block)["kind"])
        assert p.encode(msg) == payload  # field for field what the code sends
    assert kinds == set(p.message_fields())


def test_protocol_doc_names_every_topic_and_field() -> None:
    doc = _doc()
    bed = p.BedAddress("SITE", "UNIT", "BED")
    placeholders = {"SITE": "{site}", "UNIT": "{unit}", "BED": "{bed}", "NAME": "{name}"}

    def documented(topic: str) -> str:
        for raw, shown in placeholders.items():
            topic = topic.replace(raw, shown)
        return topic

    leaves = ("request", "cancel", "status", "receipt", "state", "question", "answer", "nurse")
    topics = [bed.topic(leaf) for leaf in leaves]
    topics += [p.Topics.unit("SITE", "UNIT", leaf) for leaf in ("queue", "command")]
    topics.append(p.Topics.station_status("SITE", "UNIT", "NAME"))
    for topic in topics:
        assert documented(topic) in doc, topic
    for kind, names in p.message_fields().items():
        for name in names:
            assert f"`{name}`" in doc, f"{kind}.{name}"
    assert str(p.MAX_PAYLOAD) in doc or "16 KiB" in doc

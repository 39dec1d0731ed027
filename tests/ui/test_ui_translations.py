"""Every text the windows show has a Korean translation, and the compiled .qm has it too.

pylupdate6 (part of PyQt6) collects every ``translate("Beckon", ...)`` of src/beckon/ui into a
copy of the committed beckon_ko.ts, so a string added to the code without a translation shows
up here as "unfinished", by name; the committed .qm (what Beckon loads) must translate each of
them, with the same {placeholders} as the English.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TS = REPO / "ui" / "translations" / "beckon_ko.ts"
QM = REPO / "ui" / "translations" / "beckon_ko.qm"
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _current_messages(tmp_path: Path) -> list[tuple[str, str, bool]]:
    """(source, translation, finished) for every text in the UI code as it is now."""
    ts = tmp_path / TS.name
    shutil.copy(TS, ts)
    pylupdate = Path(sys.executable).parent / "pylupdate6"
    subprocess.run(
        [str(pylupdate), "--no-obsolete", "--ts", str(ts), str(REPO / "src" / "beckon" / "ui")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    found = []
    for message in ET.parse(ts).iter("message"):
        source = message.findtext("source") or ""
        node = message.find("translation")
        text = (node.text or "") if node is not None else ""
        finished = node is not None and node.get("type") not in ("unfinished", "vanished")
        found.append((source, text, finished and bool(text.strip())))
    return found


def test_every_ui_text_has_a_korean_translation(tmp_path: Path) -> None:
    messages = _current_messages(tmp_path)
    assert len(messages) > 150  # the collector really read the UI code
    missing = [source for source, _, finished in messages if not finished]
    assert missing == [], "run scripts/translations.sh and translate:\n" + "\n".join(missing)
    for source, text, _ in messages:
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), source


def test_the_compiled_translation_has_every_text(qapp: Any, tmp_path: Path) -> None:
    from PyQt6.QtCore import QCoreApplication, QTranslator

    translator = QTranslator()
    assert translator.load(str(QM))
    QCoreApplication.installTranslator(translator)
    try:
        stale = [
            source
            for source, text, _ in _current_messages(tmp_path)
            if QCoreApplication.translate("Beckon", source) != text
        ]
    finally:
        QCoreApplication.removeTranslator(translator)
    assert stale == [], "the .qm is older than the .ts: run scripts/translations.sh"


def test_the_new_texts_of_this_round_read_in_korean(qapp: Any) -> None:
    """A few of the strings added for the bed board and the patient's recent messages."""
    from beckon.ui import strings
    from beckon.ui.app import install_translation
    from beckon.ui.strings import translate

    assert install_translation("ko")
    try:
        assert strings.board_headers()[-2:] == ["간호사실로 호출", "버전"]
        assert strings.board_text("stuck", 2, "1:35") == "2건 도착 안 함 (1:35)"
        assert strings.bed_fault_text("14", ("backlog",)).startswith("14번 침대: ")
        assert strings.recent_line("14:02", "물", "완료되었습니다.") == "14:02  물: 완료되었습니다."
        # Read and spoken with any label, a whole phrase too: "{label}을(를) ..." was spoken
        # literally ("간호사 불러 주세요을(를) 요청하셨나요?").
        asked = translate("Beckon", "Did you ask for: {intent}?")
        assert asked.format(intent="간호사 불러 주세요").startswith("요청: 간호사 불러 주세요. ")
        assert "(를)" not in asked
    finally:
        install_translation("en")


def test_the_cancel_entry_reads_as_one_command_with_a_phrase_for_a_name(qapp: Any) -> None:
    """A request's name may be a phrase: "Cancel Call the nurse" read as two commands. The
    name is quoted in English; Korean says "<name> 요청 취소"."""
    from beckon.ui import strings
    from beckon.ui.app import install_translation

    assert strings.cancel_entry_label("Call the nurse") == "Cancel “Call the nurse”"
    assert install_translation("ko")
    try:
        assert strings.cancel_entry_label("간호사 호출") == "간호사 호출 요청 취소"
    finally:
        install_translation("en")

"""`annotator gui FILE --annotator NAME` with a name the project file does not know: the window
offers to add it to the team first (a newcomer says yes; a typo says no, and nothing is written);
a file that knows nobody yet (one person's project) asks nothing. On a server the login decides
(tests/test_team_server.py)."""

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.errors import UserError
from annotator.team.members import team_list
from tests.conftest import ON_SERVER
from tests.helpers import snapshot
from tests.ui_helpers import when_modal
from ui.app import run
from ui.main_window import MainWindow

pytestmark = pytest.mark.skipif(ON_SERVER, reason="on a server the window works as the login and asks nothing")


def _close_the_window(seen: dict) -> None:
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
    seen["annotator"] = window.annotator
    window.close()


@pytest.fixture
def settings_folder(tmp_path):
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    return tmp_path


def test_a_typo_is_not_added_and_nothing_is_written(qtbot, sample_project, settings_folder):
    before = snapshot(sample_project)
    asked = []

    def say_no(dialog):
        asked.append(dialog.text())
        dialog.button(QMessageBox.StandardButton.No).click()

    when_modal(say_no)
    # Should a window open after all, close it rather than hang; stopped before the test ends, so it
    # never closes a later test's window.
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: [w.close() for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)])
    guard.start(5000)
    try:
        with pytest.raises(UserError, match=r"alcie is not on the team of samples.db \(on it: alice, bob, carol\); "
                                            "start with --annotator"):
            run(sample_project.url.removeprefix("sqlite:///"), "alcie")
    finally:
        guard.stop()
    assert asked and asked[0].startswith("alcie is not on the team of samples.db (on it: alice, bob, carol).")
    assert snapshot(sample_project) == before
    assert QSettings("quote-annotator", "annotator").value("annotator") is None  # not remembered either


def test_a_newcomer_says_yes_and_joins_the_team(qtbot, sample_project, settings_folder):
    seen: dict = {}

    def say_yes(dialog):
        dialog.button(QMessageBox.StandardButton.Yes).click()
        QTimer.singleShot(200, lambda: _close_the_window(seen))

    when_modal(say_yes)
    assert run(sample_project.url.removeprefix("sqlite:///"), "dave") == 0
    assert seen == {"annotator": "dave"}
    assert {"name": "dave", "role": "annotator"} in team_list(sample_project)


def test_a_file_that_knows_nobody_asks_nothing(qtbot, project, settings_folder):
    seen: dict = {}
    QTimer.singleShot(300, lambda: _close_the_window(seen))
    assert run(project.url.removeprefix("sqlite:///"), "solo") == 0
    assert seen == {"annotator": "solo"} and team_list(project) == []

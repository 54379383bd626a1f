"""Starting the window: the annotator's name is asked once and remembered."""

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from ui.app import run
from ui.main_window import MainWindow

from tests.ui_helpers import when_modal


def test_first_start_asks_the_annotator_name_and_remembers_it(qtbot, sample_project, tmp_path):
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    path = sample_project.url.removeprefix("sqlite:///")
    on_file = sample_project.url.startswith("sqlite")  # a server never offers: the login decides
    sample_project.close()
    seen = {}

    def answer(dialog):
        assert isinstance(dialog, QInputDialog)
        qtbot.keyClicks(dialog.findChild(type(dialog.focusWidget())), "erin")
        if on_file:
            when_modal(join)
        else:
            QTimer.singleShot(200, look_and_close)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)

    def join(dialog):  # the samples know alice, bob and carol: erin is offered to join
        assert isinstance(dialog, QMessageBox) and "erin is not on the team" in dialog.text()
        dialog.button(QMessageBox.StandardButton.Yes).click()
        QTimer.singleShot(200, look_and_close)

    def look_and_close():
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        seen["annotator"] = window.annotator
        seen["status"] = window.status.annotator.text()
        window.close()

    when_modal(answer)
    assert run(path, None) == 0
    assert seen == {"annotator": "erin", "status": "Annotator: erin"}
    assert QSettings("quote-annotator", "annotator").value("annotator") == "erin"
    # the second start does not ask
    QTimer.singleShot(300, look_and_close)
    assert run(path, None) == 0
    assert seen["annotator"] == "erin"

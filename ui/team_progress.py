"""Review → Team progress: one row per annotator with a bar of finished / assigned, the counts, the rate
and the estimated finish (annotator.team.progress, the same numbers as `annotator progress`).

Refreshed when opened, and while shown whenever a change touches statuses or assignments.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (QApplication, QLabel, QPushButton, QStyle, QStyledItemDelegate,
                               QStyleOptionProgressBar, QTableView, QVBoxLayout, QWidget)

from annotator.changes import Change
from annotator.team.progress import AnnotatorProgress, TeamProgress, team_progress
from annotator.store import Project
from ui.table_model import RowsTableModel
from ui.tables import configure_table

COLUMNS = ("Annotator", "Finished / assigned", "Done", "Skipped", "In progress", "Remaining", "Docs/hour (7 days)",
           "Estimated finish")
BAR_COLUMN = 1
BAR_ROLE = Qt.ItemDataRole.UserRole  # (done, assigned) for the bar
WATCHED = ("document_status", "assignments")  # a change of these rows may change the numbers


class TeamProgressModel(RowsTableModel):
    _header = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[AnnotatorProgress] = []

    def set_report(self, report: TeamProgress) -> None:
        self.beginResetModel()
        self._rows = [*report.annotators, report.total] if report.annotators else []
        self.endResetModel()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == BAR_ROLE:
            return _finished(row), row.assigned
        if role == Qt.ItemDataRole.DisplayRole:
            return _cells(row)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > BAR_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.name == "total" and index.row() == len(self._rows) - 1:
            font = QApplication.font()
            font.setBold(True)
            return font
        return None


def _finished(row: AnnotatorProgress) -> int:
    """Of the documents assigned to them, how many they finished (done or skipped): the bar never
    passes its end because of work done on documents not theirs."""
    return row.assigned - row.remaining


def _cells(row: AnnotatorProgress) -> list[str]:
    finish = row.estimated_finish or ("finished" if row.assigned and not row.remaining else "—")
    return [row.name, f"{_finished(row)} / {row.assigned}", str(row.done), str(row.skipped), str(row.in_progress),
            str(row.remaining), f"{row.per_hour:.2f}", finish]


class ProgressBarDelegate(QStyledItemDelegate):
    """Draws finished / assigned as the platform's progress bar."""

    def paint(self, painter, option, index) -> None:
        done, assigned = index.data(BAR_ROLE)
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(3, 3, -3, -3))
        bar.minimum, bar.maximum = 0, max(assigned, 1)
        bar.progress = min(done, bar.maximum)
        bar.text = index.data()
        bar.textVisible = True
        bar.state = option.state
        QApplication.style().drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class TeamProgressWindow(QWidget):
    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("team-progress")
        self.setWindowTitle(f"Team progress — {project.name}")
        self.project = project
        self.report: TeamProgress | None = None
        self.model = TeamProgressModel(self)
        self.table = configure_table(QTableView(self), self.model, "team-progress-table", row_height=26,
                                     widths=(120, 0, 60, 60, 80, 80, 130, 120))
        self.table.setItemDelegateForColumn(BAR_COLUMN, ProgressBarDelegate(self.table))
        self.summary = QLabel(self)
        self.summary.setObjectName("team-progress-summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        refresh = QPushButton("&Refresh", self)
        refresh.clicked.connect(self.refresh)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addWidget(self.table, 1)
        column.addWidget(refresh, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(900, 360)

    def refresh(self) -> None:
        self.report = team_progress(self.project)
        self.model.set_report(self.report)
        self.summary.setText(
            f"{self.report.documents} documents, {self.report.unassigned} not assigned; {self.report.shared} "
            f"shared by several annotators, {self.report.ready} of them done by all (ready for agreement)."
            + ("" if self.report.annotators else " Nothing is assigned yet: annotator assign PROJECT --annotators …"))

    def show_change(self, change: Change) -> None:
        """A change from any window: counted again when it touched statuses or assignments and this is shown."""
        if not self.isVisible():
            return
        if any(change.rows(table) or change.rows(table, "deleted") for table in WATCHED) \
                or any(update.table in WATCHED for update in change.updated):
            self.refresh()

"""Actions declared once (id, title, shortcuts, handler) and turned into QActions, menus and a toolbar.

Every window declares its actions in its own registry; the F1 overview reads the registries
of every open window, so a shortcut is never listed in one place and bound in another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

MENUS = ("File", "Edit", "View", "Review", "Help")


@dataclass(frozen=True)
class ActionSpec:
    id: str
    title: str
    menu: str | None  # one of MENUS; None: keyboard only
    handler: Callable[[], None]
    shortcuts: tuple[str, ...] = ()
    toolbar: bool = False
    checkable: bool = False
    separator_before: bool = False
    tip: str = ""
    # Keys that only work while this widget (or a child) has the focus, e.g. Tab in the article,
    # which elsewhere moves the focus on; None: anywhere in the window.
    scope: QWidget | None = None


class ActionRegistry:
    """The window's actions by id, with the menus and toolbar built from them.

    `where` names the window's keyboard-only actions in the F1 overview; a window without menus
    (menus=()) lists all its actions under it."""

    def __init__(self, window: QMainWindow, menus: tuple[str, ...] = MENUS, toolbar: str = "Main",
                 where: str = "Keyboard") -> None:
        self.window = window
        self.where = where
        self.specs: dict[str, ActionSpec] = {}
        self.actions: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {name: window.menuBar().addMenu(f"&{name}") for name in menus}
        self.toolbar = QToolBar(toolbar, window)
        self.toolbar.setObjectName(f"{toolbar.lower()}-toolbar")
        self.toolbar.setMovable(False)
        window.addToolBar(self.toolbar)

    def add(self, spec: ActionSpec) -> QAction:
        if spec.id in self.specs:
            raise ValueError(f"action {spec.id} declared twice")
        action = QAction(spec.title, self.window)
        action.setObjectName(spec.id)
        action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        action.setCheckable(spec.checkable)
        if spec.tip:
            action.setStatusTip(spec.tip)
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{spec.title.replace('&', '')} ({shown})" if shown else spec.title.replace("&", ""))
        action.triggered.connect(lambda _checked=False, h=spec.handler: h())
        if spec.scope is not None:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        (spec.scope or self.window).addAction(action)  # shortcuts work even for actions in no menu
        if spec.menu:
            menu = self.menus[spec.menu]
            if spec.separator_before:
                menu.addSeparator()
            menu.addAction(action)
        if spec.toolbar:
            self.toolbar.addAction(action)
        self.specs[spec.id] = spec
        self.actions[spec.id] = action
        return action

    def remove_prefixed(self, prefix: str) -> None:
        """Drop the actions whose id starts with prefix (e.g. label keys when the schema changes)."""
        for action_id in [i for i in self.specs if i.startswith(prefix)]:
            action = self.actions.pop(action_id)
            (self.specs.pop(action_id).scope or self.window).removeAction(action)
            action.deleteLater()

    def __getitem__(self, action_id: str) -> QAction:
        return self.actions[action_id]

    def overview(self) -> list[tuple[str, str, str]]:
        """(menu, title, shortcuts) of every action with a shortcut, for the F1 overview."""
        rows = []
        for spec in self.specs.values():
            if spec.shortcuts:
                keys = ", ".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in spec.shortcuts)
                rows.append((spec.menu or self.where, spec.title.replace("&", ""), keys))
        return rows

"""Creating, editing and deleting records as far as the APIs allow (see app/core/edits.py).

``EditController`` does the writes; ``install_edit_actions(window, menu)`` wires it into a
MainWindow (Edit menu, keys, double-click, the detail pane's Edit… button).
"""

from app.ui.editing.actions import EditActions, install_edit_actions
from app.ui.editing.controller import EditController

__all__ = ["EditActions", "EditController", "install_edit_actions"]

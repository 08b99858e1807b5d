"""The progress bar of `fit`: the one that fits where it runs.

In a Jupyter kernel whose ipywidgets can be imported: tqdm's widget bar. Its plain-text twin, which
a notebook saved without widget state (and an HTML export of it) shows instead of the widget, is
brought up to date when training ends, so the export shows the finished bar, not a frozen 0%.
Anywhere else (a terminal, a script, pytest, a kernel without ipywidgets): tqdm's text bar, with
no `IProgress not found` warning, since nothing asks for the widget.

>>> bar = progress_bar(3, enabled=False)
>>> [epoch for epoch in bar], type(bar).__module__
([0, 1, 2], 'tqdm.std')
"""

from __future__ import annotations

import functools
import os
import sys

from tqdm import tqdm as text_bar


def in_jupyter() -> bool:
    """True inside a Jupyter kernel that can show widgets (notebook, lab, VS Code), False in a
    terminal, IPython, or the Qt console and Spyder, which show text only."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or "ipykernel" not in sys.modules:
        return False
    kind = type(shell).__name__.lower()
    qt = any(key == "QT_API" or key.startswith("SPYDER") for key in os.environ)
    return not qt and "qt" not in kind and "spyder" not in kind


def widgets_usable() -> bool:
    """True when ipywidgets imports (a notebook without it gets the text bar)."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def progress_bar(total: int, enabled: bool = True, **options: object) -> text_bar:
    """A tqdm bar over range(total): the widget bar in Jupyter with ipywidgets, else the text bar.

    `options` go to tqdm; the defaults are those of `fit` (desc 'training', unit 'epoch').
    """
    options = {"desc": "training", "unit": "epoch", "dynamic_ncols": True, "leave": True,
               **options}
    if enabled and in_jupyter() and widgets_usable():
        return _widget_bar()(range(total), **options)
    return text_bar(range(total), disable=not enabled, **options)


@functools.cache
def _widget_bar():
    """tqdm's notebook bar, displayed under a display id so that closing it can rewrite its
    plain-text representation with the final state."""
    from IPython.display import display
    from tqdm.notebook import tqdm as notebook_bar

    class WidgetBar(notebook_bar):
        """tqdm.notebook's bar whose saved text shows the end of training, not its start."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, display=False, **kwargs)
            self._handle = display(self.container, display_id=True)

        def close(self):
            """Close the bar, then replace the displayed output by its final state."""
            super().close()
            handle, self._handle = getattr(self, "_handle", None), None
            if handle is not None:
                handle.update(self.container)

    return WidgetBar

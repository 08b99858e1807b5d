"""Showing a model and its training: the network diagram, the summary table and the plots.

- netdraw.py: `model.draw()`, the lecture's network diagram (neurons in columns, weights as lines).
- summary.py: `model.summary()`, a row per layer with its weights' and gradients' lengths.
- plots.py: `history.plot()`, `plot_decision_boundary` and fit's live figure (matplotlib).

They read the model through its public attributes and never change it; graphviz and matplotlib
are imported only when a picture is made. The names users call are methods of the model and
the history, and `nn.plot_decision_boundary`.
"""

"""Training a model: the loop, the update rule and the compiled step.

- train.py: `fit`, `evaluate` and `predict`, and the `History` of a run.
- optim.py: `SGD` (momentum, weight decay) and the `LinearDecay` learning-rate schedule.
- compiled.py: the whole training step as matrix code (engine/codegen), fit's default.
- progress.py: the progress bar that fits where fit runs (a terminal or Jupyter).

The names are exported by gategrad.nn (`nn.fit`, `nn.optim`, `nn.SGD`).
"""

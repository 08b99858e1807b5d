"""Checking gradients against central differences, and gates of your own.

- gradcheck.py: `gradcheck(f, *xs)`, the engine's gradients of a function against the numbers.
- defgate.py: `defgate(...)`, a new row of the gate table, checked the moment it is defined.
- gatecheck.py: the check defgate runs: a gate's `local` against its `forward`, at random
  points, at the domain's edges and on both sides of each kink.
- gatehints.py: hints for the usual slips in a local gradient (a sign, a factor, a swap).

The names are exported by gategrad.engine (`from gategrad.engine import gradcheck, defgate`),
not here: a function exported under its module's name would hide the module.
"""

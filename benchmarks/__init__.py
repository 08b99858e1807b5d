"""gategrad's benchmark: `python -m benchmarks` (see __main__.py, and docs/benchmarks.md).

Every engine runs on one thread, PyTorch by torch.set_num_threads(1) and numpy's BLAS by the
variables below, read when numpy loads (so only if nothing imported numpy before this package).
With its default two threads on this shared 2-core machine, numpy's step at 100,000 points took
about 150 ms instead of 33: the threads spin, waiting for each other, whenever the other core is
busy. JAX keeps XLA's defaults, which use one core for these programs (CPU time / wall time 0.99).
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

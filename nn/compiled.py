"""Training through `compile`: the model's graph for one sample traced once, replayed every step.

A model of nn has one graph per sample whatever the numbers (its shape depends on the layer sizes,
not on the data), so it can be traced once, with its parameters and one sample's inputs as the
compiled function's inputs. A step then is:

1. the model's outputs for the whole batch, from the generated forward code;
2. the loss on those outputs as a small plain graph (any loss of nn, the L2 term too), whose
   backward() gives d loss / d output for each sample and the L2 term's gradients;
3. the generated backward code with those as upstream gradients, summing each parameter's
   gradient over the batch.

The losses stay plain graphs because some decide their shape from the numbers (the stable
softmax shifts by the largest logit, bce clamps its logarithm): only the model is replayed. The
model is traced by `engine.tracing.trace`, which refuses a model that reads the number of its
input or of a value computed from it or from a parameter (a branch on `.data`): such a model
trains on the plain graph.
"""

from __future__ import annotations

from gategrad.engine import Value, compile
from gategrad.engine.tracing import trace

from .losses import l2_penalty


class CompiledStep:
    """What fit(compile=True) runs instead of building the graph sample by sample."""

    def __init__(self, model, objective, l2: float, sample, backend: str | None = None):
        self.objective, self.l2, self.backend = objective, l2, backend
        self.params = model.parameters()
        x = [Value(float(v), label=f"x{i}") for i, v in enumerate(sample)]
        out = trace(lambda *leaves: model(list(leaves[len(self.params):])), [*self.params, *x])
        self.vector = not isinstance(out, Value)  # several outputs per sample
        self.fn = compile(out, [*self.params, *x], wrt=self.params)

    def forward(self, xb, yb):
        """The batch's outputs (as leaf Values), its data loss and its total loss: the outputs
        from generated code, the losses as plain graphs on them."""
        self._data = [p.data for p in self.params]
        self._columns = [list(c) for c in zip(*xb)]
        outs = self.fn.batch(*self._data, *self._columns, backend=self._backend(xb), grad=False)
        if self.vector:
            self.outputs = [[Value(float(o)) for o in row] for row in zip(*outs)]
        else:
            self.outputs = [Value(float(o)) for o in outs]
        data_loss = self.objective.loss(self.outputs, yb)
        total = data_loss + l2_penalty(self.params, self.l2) if self.l2 else data_loss
        return self.outputs, data_loss, total

    def backward(self, total: Value) -> None:
        """total.backward() on the loss graph, then the model's compiled backward pass with each
        output's gradient as its upstream gradient; adds to every parameter's .grad."""
        total.backward()  # the L2 term's gradients reach the parameters here
        if self.vector:
            seeds = [[o.grad for o in row] for row in self.outputs]
        else:
            seeds = [o.grad for o in self.outputs]
        if len(seeds) == 1:  # one sample (stochastic gradient descent): the per-sample function
            x = [c[0] for c in self._columns]
            _, grads = self.fn(*self._data, *x, grad_output=seeds[0])
        else:
            grad_output = [list(c) for c in zip(*seeds)] if self.vector else seeds
            _, grads = self.fn.batch(*self._data, *self._columns, grad_output=grad_output,
                                     backend=self._backend(seeds))
        for p, g in zip(self.params, grads):
            p.grad += float(g)

    def _backend(self, batch) -> str | None:
        # numpy pays from a few samples on; one sample runs the generated Python as it is
        return self.backend or ("python" if len(batch) < 4 else None)


def compile_step(model, objective, l2: float, X, backend: str | None = None):
    """A CompiledStep for `model` on data like X, or None when the model has no parameters.
    Raises DataDependentError (a ValueError) when the model's graph depends on the numbers."""
    if not model.parameters() or len(X) == 0:
        return None
    return CompiledStep(model, objective, l2, X[0], backend)

"""gategrad's `nn`: the lecture's networks built out of Values, trained, saved and loaded.

    from gategrad import nn
    X, y = nn.data.moons(100, noise=0.1)
    model = nn.MLP(2, [16, 16, 1])
    history = nn.fit(model, X, y, loss="hinge", epochs=100, lr=1.0, l2=1e-4,
                     lr_schedule=nn.optim.LinearDecay(1.0, 0.1, 100))
    nn.save(model, "moons.json")
    model.draw(); model.summary(); history.plot()   # the network, its layers, its training

Here at the top: data.py (datasets), losses.py (the loss functions), objectives.py (a loss as
fit and evaluate use it), checks.py (argument checks shared by all) and cli.py (`gategrad
train`). In subpackages: model/ (Module, layers, activations, save and load), training/ (fit,
optimizers, compiled training, the progress bar) and show/ (the network diagram, the summary
table, the training plots). Every name users need is exported here.
"""

from . import data, losses, objectives
from .model import activations
from .model.activations import Activation
from .model.io import load, save
from .model.layers import MLP, Layer, Maxout, Neuron
from .model.module import Module
from .show.plots import plot_decision_boundary
from .training import optim
from .training.optim import SGD, LinearDecay
from .training.train import DivergedError, History, evaluate, fit, predict

__all__ = ["MLP", "SGD", "Activation", "DivergedError", "History", "Layer", "LinearDecay",
           "Maxout", "Module", "Neuron", "activations", "data", "evaluate", "fit", "load", "losses",
           "objectives", "optim", "plot_decision_boundary", "predict", "save"]

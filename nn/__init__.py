"""gategrad's `nn`: the lecture's networks built out of Values, trained, saved and loaded.

    from gategrad import nn
    X, y = nn.data.moons(100, noise=0.1)
    model = nn.MLP(2, [16, 16, 1])
    history = nn.fit(model, X, y, loss="hinge", epochs=100, lr=1.0, l2=1e-4,
                     lr_schedule=nn.optim.LinearDecay(1.0, 0.1, 100))
    nn.save(model, "moons.json")
    model.draw(); model.summary(); history.plot()   # the network, its layers, its training
"""

from . import activations, data, losses, objectives, optim
from .activations import Activation
from .io import load, save
from .layers import MLP, Layer, Maxout, Neuron
from .module import Module
from .optim import SGD, LinearDecay
from .plots import plot_decision_boundary
from .train import DivergedError, History, evaluate, fit, predict

__all__ = ["MLP", "SGD", "Activation", "DivergedError", "History", "Layer", "LinearDecay",
           "Maxout", "Module", "Neuron", "activations", "data", "evaluate", "fit", "load", "losses",
           "objectives", "optim", "plot_decision_boundary", "predict", "save"]

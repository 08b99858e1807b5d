"""What a network is: the modules a model is made of, and how it is saved.

- module.py: `Module`, what every layer and model shares (parameters, zero_grad, state dicts).
- layers.py: `Neuron`, `Maxout`, `Layer` and `MLP`, compatible with micrograd's `nn.py`.
- activations.py: relu, tanh, sigmoid, leaky ReLU, PReLU, ELU, each built from the gates.
- io.py: `save(model, path)` and `load(path)`, a model as one JSON file.

The names are exported by gategrad.nn (`nn.MLP`, `nn.activations`, `nn.save`).
"""

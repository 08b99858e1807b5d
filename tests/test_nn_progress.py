"""nn.fit's progress bar: the text bar outside Jupyter and without ipywidgets, with no warning;
the widget bar in a Jupyter kernel with ipywidgets, whose saved text shows the finished bar."""

import random
import warnings

import nbformat
import pytest
from nbclient import NotebookClient

from gategrad import nn
from gategrad.nn import data
from gategrad.nn.training import progress


def train_with_a_bar(epochs=3):
    X, y = data.and_gate()
    return nn.fit(nn.Neuron(2, rng=random.Random(0)), X, y, loss="hinge", epochs=epochs,
                  lr=0.1, progress=True)


def test_fit_outside_jupyter_shows_the_text_bar_and_warns_nothing(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning, TqdmWarning included, fails the test
        train_with_a_bar()
    err = capsys.readouterr().err
    assert "training" in err and "3/3" in err and "IProgress" not in err
    assert not progress.in_jupyter()
    assert type(progress.progress_bar(2)).__module__ == "tqdm.std"


def test_a_kernel_without_ipywidgets_gets_the_text_bar_without_a_warning(monkeypatch):
    monkeypatch.setattr(progress, "in_jupyter", lambda: True)
    monkeypatch.setattr(progress, "widgets_usable", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bar = progress.progress_bar(2)
    assert type(bar).__module__ == "tqdm.std"
    bar.close()


CELLS = [
    # ipywidgets hidden from this kernel, as in an environment without it
    "import sys\nsys.modules['ipywidgets'] = None\n"
    "from gategrad import nn\nfrom gategrad.nn import data\nimport random\n"
    "X, y = data.and_gate()\n"
    "nn.fit(nn.Neuron(2, rng=random.Random(0)), X, y, loss='hinge', epochs=4, progress=True);",
    # ipywidgets back (it is a test dependency): the widget bar
    "del sys.modules['ipywidgets']\n"
    "nn.fit(nn.Neuron(2, rng=random.Random(0)), X, y, loss='hinge', epochs=4, progress=True);",
]


@pytest.fixture(scope="module")
def executed():
    pytest.importorskip("ipywidgets")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return notebook.cells


def test_in_a_notebook_without_ipywidgets_the_text_bar_runs_and_nothing_warns(executed):
    outputs = executed[0].outputs
    streams = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "4/4" in streams and "training" in streams
    assert "IProgress" not in streams and "Warning" not in streams
    assert not any(o.output_type == "display_data" for o in outputs)


def test_in_a_notebook_with_ipywidgets_the_saved_bar_is_the_finished_one(executed):
    outputs = executed[1].outputs
    assert not any("Warning" in o.get("text", "") for o in outputs if o.output_type == "stream")
    shown = [o for o in outputs if o.output_type == "display_data"]
    assert len(shown) == 1
    data_ = shown[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in data_
    # the text an export without widget state shows: the end of training, not a frozen 0%
    text = data_["text/plain"]
    assert "100%" in text and "4/4" in text and "0/4" not in text

"""The `gategrad` command: `gategrad example NAME`, `gategrad exercises DIR`, `gategrad train`,
`gategrad predict`."""

from __future__ import annotations

import argparse
import sys
from importlib.resources import files
from pathlib import Path

from . import __version__
from .engine.show.captions import number
from .engine.show.examples import EXAMPLES
from .engine.show.explain import explain
from .nn.cli import add_commands, count_arg, number_arg


def _example(args) -> int:
    if args.list or not args.name:
        for name, build in EXAMPLES.items():
            print(f"{name:20} {build().title}")
        return 0
    if args.name not in EXAMPLES:
        print(f"gategrad: no example {args.name!r}; the examples are: {', '.join(EXAMPLES)}",
              file=sys.stderr)
        return 2
    ex = EXAMPLES[args.name]()
    print(f"{ex.name}: {ex.title}\n")
    print("forward:  " + ", ".join(f"{k} = {number(v.data, args.digits)}"
                                   for k, v in {**ex.inputs, **ex.extra}.items())
          + f", {ex.root.label or 'output'} = {number(ex.root.data, args.digits)}")
    print("gradient: " + ", ".join(f"d{ex.root.label or 'out'}/d{k} = {number(v.grad, args.digits)}"
                                   for k, v in ex.inputs.items()))
    print()
    # the table names every wire as the forward line above it does (`dot`, not `+ #2`)
    names = {v: k for k, v in {**ex.inputs, **ex.extra}.items()}
    print(explain(ex.root, digits=args.digits, names=names))
    if args.svg or args.png or args.pdf:
        from .engine.show.drawing import (
            draw,  # graphviz is imported only when a diagram is asked for
        )
        from .engine.show.rendering import RenderError
        diagram = draw(ex.root, title=ex.title, digits=2)  # two decimals, as the lecture
        for path in (args.svg, args.png, args.pdf):
            if path:
                try:
                    written = diagram.save(path)
                except (RenderError, ImportError) as err:
                    print(f"gategrad: {err}", file=sys.stderr)
                    return 1
                print(f"\nwrote the circuit diagram to {written.resolve()}")
    if args.animate:
        from .engine.show.animate import animate
        from .engine.show.rendering import RenderError
        player = animate(ex.root, digits=2)
        try:
            written = player.save(args.animate, duration=args.frame_seconds)
        except (RenderError, ImportError) as err:  # no renderer, or no Pillow for a GIF
            print(f"gategrad: {err}", file=sys.stderr)
            return 1
        print(f"\nwrote the forward and backward pass, {len(player)} frames, to "
              f"{written.resolve()}")
    return 0


# The exercise notebooks ship inside the package (src/gategrad/exercises/, made from
# notebooks/exercises/ by its release.py); the solutions only when asked for.
EXERCISES = ("gates.ipynb",)
SOLUTIONS = ("gates_solutions.ipynb",)


def _exercises(args) -> int:
    names = EXERCISES + (SOLUTIONS if args.solutions else ())
    target = Path(args.dir)
    existing = [str(target / name) for name in names if (target / name).exists()]
    if existing and not args.force:
        print(f"gategrad: {', '.join(existing)} already exists; pass --force to overwrite",
              file=sys.stderr)
        return 1
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        (target / name).write_bytes((files("gategrad") / "exercises" / name).read_bytes())
        print(f"wrote {target / name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The parser of the `gategrad` command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="gategrad",
        description="A scalar autodiff engine for learning, teaching and debugging backprop.")
    parser.add_argument("--version", action="version", version=f"gategrad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    ex = sub.add_parser("example", help="run one of the lecture's worked examples",
                        description="Run a lecture example: forward values, gradients, the "
                                    "backward pass step by step, and optionally its diagram.")
    ex.add_argument("name", nargs="?", help="example name (see --list)")
    ex.add_argument("--list", action="store_true", help="list the examples")
    ex.add_argument("--digits", type=count_arg(0), default=4,
                    help="decimals to print (default 4)")
    ex.add_argument("--svg", metavar="PATH", help="also write the circuit diagram as SVG")
    ex.add_argument("--png", metavar="PATH", help="also write the circuit diagram as PNG")
    ex.add_argument("--pdf", metavar="PATH",
                    help="also write the circuit diagram as PDF (no system Graphviz needed)")
    ex.add_argument("--animate", metavar="PATH",
                    help="also write the forward and backward pass step by step: a .gif (made "
                         "with Pillow, which gategrad installs), an .html player, or a folder "
                         "of numbered frames")
    ex.add_argument("--frame-seconds", type=number_arg(0.0, low_open=True), default=1.0,
                    metavar="S",
                    help="seconds per frame of --animate (default 1)")
    ex.set_defaults(run=_example)
    exercises = sub.add_parser(
        "exercises", help="copy the exercise notebooks (gates to implement) into a folder",
        description="Copy the exercise notebook gates.ipynb into DIR: the lecture's gates, "
                    "whose local gradients you write; each has a check cell that tells you at "
                    "once whether yours is right.")
    exercises.add_argument("dir", metavar="DIR", help="folder to copy into (made if missing)")
    exercises.add_argument("--force", action="store_true", help="overwrite existing files")
    exercises.add_argument("--solutions", action="store_true",
                           help="also copy gates_solutions.ipynb (for teachers: the source "
                                "notebook for nbgrader)")
    exercises.set_defaults(run=_exercises)
    add_commands(sub)  # `train` and `predict` live with the nn package
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `gategrad` command on `argv` (default: sys.argv); returns the exit status: 0, 1
    for an error while running (printed as `gategrad: ...`), 2 for a bad argument."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError, ArithmeticError) as err:  # nn.DivergedError too
        print(f"gategrad: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

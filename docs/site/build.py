"""Build the in-browser site: JupyterLite with the Pyodide kernel, gategrad, and every lesson.

    python docs/site/build.py [--out site] [--cache build/site-cache]

`make site` runs it in a virtual environment with docs/site/requirements.txt. It needs the
network only to fill its cache (the registries this project already uses):

- from npm, pinned by version and checked by the registry's sha512: Pyodide (the interpreter and
  standard library, compiled to WebAssembly) and @viz-js/viz (Graphviz compiled to WebAssembly);
- from PyPI, pinned in docs/site/browser-requirements.txt: the pure-Python wheels the kernel needs.

The site it writes needs no network at all: every wheel is listed in the site's own Pyodide
lockfile and loaded when the kernel starts, so nothing is fetched from a CDN or from PyPI.
"""

from __future__ import annotations

import argparse
import base64
import csv
import email.parser
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from pathlib import Path

from packaging.markers import InvalidMarker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# Pyodide 314.0.6 is the release jupyterlite-pyodide-kernel 0.8.6 names as the one it works with.
NPM = {
    "pyodide": ("314.0.6", "https://registry.npmjs.org/pyodide/-/pyodide-314.0.6.tgz",
                "sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVkchQQ2AGLOtR4YrVOIFxbV8po"
                "yDOOmWwxQ=="),
    "viz": ("3.31.0", "https://registry.npmjs.org/@viz-js/viz/-/viz-3.31.0.tgz",
            "sha512-r7zlQdRvcwvIpjHGgs+KNWHeE/P5/Dq7k8ZAKaMCbZqomxCBJV78gVuQYaHzFVca+kB0mX0fMW9UFevCOBG"
            "50A=="),
}
# The files of Pyodide's npm package the site serves (the rest are types, maps and demo pages).
PYODIDE_FILES = ["pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm",
                 "python_stdlib.zip", "package.json"]
# Graphviz for the browser travels as a wheel of its own, so gategrad finds it in the browser's
# file system wherever the site is served from (engine/show/rendering.py reads it).
VIZ_WHEEL_NAME = "gategrad_wasm_graphviz"
# The browser is Python 3.14 on Emscripten: requirement markers are judged as there.
BROWSER_MARKERS = {
    "sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix",
    "platform_machine": "wasm32", "implementation_name": "cpython",
    "platform_python_implementation": "CPython", "python_version": "3.14",
    "python_full_version": "3.14.2", "extra": "",
}
KERNEL_NAME = "python"  # the Pyodide kernel's name in JupyterLite
# What the browser's Python here has not got: Pyodide's npm package carries the interpreter and
# the standard library only, and numpy, matplotlib and Pillow are compiled packages that neither
# PyPI nor npm offers for it. Only an import at the top level counts: one under
# `if sys.platform != "emscripten":` is the lesson's own way around.
NOT_IN_BROWSER = re.compile(r"^(?:import|from)\s+(numpy|matplotlib|PIL)\b", re.MULTILINE)


def fetch_npm(name: str, cache: Path) -> Path:
    """The unpacked npm package `name` (a key of NPM), downloaded once and checked."""
    version, url, integrity = NPM[name]
    unpacked = cache / "npm" / f"{name}-{version}"
    if (unpacked / "package" / "package.json").exists():
        return unpacked / "package"
    print(f"fetching {url}", flush=True)
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != integrity:
        raise RuntimeError(f"{url}: its sha512 is {digest}, not the pinned {integrity}; "
                           f"refusing to build a site from it")
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(unpacked, filter="data")
    return unpacked / "package"


def fetch_wheels(cache: Path) -> list[Path]:
    """The pinned pure-Python wheels for the browser, from PyPI (pip keeps its own cache)."""
    folder = cache / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    pins = HERE / "browser-requirements.txt"
    stamp = folder / ".pins"
    if not stamp.exists() or stamp.read_text() != pins.read_text():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "--python-version", "3.14", "--implementation",
                        "py", "--abi", "none", "--platform", "any", "--dest", str(folder),
                        "--requirement", str(pins)], check=True)
        stamp.write_text(pins.read_text())
    wanted = {canonicalize_name(Requirement(line.split("#")[0]).name)
              for line in pins.read_text().splitlines() if line.split("#")[0].strip()}
    wheels = [w for w in sorted(folder.glob("*.whl"))
              if canonicalize_name(parse_wheel_filename(w.name)[0]) in wanted]
    missing = wanted - {canonicalize_name(parse_wheel_filename(w.name)[0]) for w in wheels}
    if missing:
        raise RuntimeError(f"no wheel downloaded for {', '.join(sorted(missing))}")
    return wheels


def build_gategrad_wheel(folder: Path) -> Path:
    """gategrad's own wheel, built from this checkout."""
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(folder), str(ROOT)], check=True)
    (wheel,) = folder.glob("gategrad-*.whl")
    return wheel


def build_viz_wheel(viz: Path, folder: Path) -> Path:
    """A wheel that carries @viz-js/viz's one-file build (Graphviz as WebAssembly, in JS)."""
    version = json.loads((viz / "package.json").read_text())["version"]
    name = f"{VIZ_WHEEL_NAME}-{version}"
    files = {
        f"{VIZ_WHEEL_NAME}/__init__.py": (
            f'"""Graphviz {version} compiled to WebAssembly (npm @viz-js/viz), for gategrad\'s '
            f'diagrams in the browser."""\nVERSION = "{version}"\n').encode(),
        f"{VIZ_WHEEL_NAME}/viz-global.js": (viz / "dist" / "viz-global.js").read_bytes(),
        # its licence (MIT) is in its package.json, its copyright at the top of viz-global.js
        f"{VIZ_WHEEL_NAME}/package.json": (viz / "package.json").read_bytes(),
        f"{name}.dist-info/METADATA": (f"Metadata-Version: 2.1\nName: {VIZ_WHEEL_NAME}\n"
                                       f"Version: {version}\n").encode(),
        f"{name}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: gategrad docs/site/build.py\n"
                                   b"Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([path, f"sha256={digest}", len(data)])
    writer.writerow([f"{name}.dist-info/RECORD", "", ""])
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(zipfile.ZipInfo(path, (2020, 1, 1, 0, 0, 0)), data)
        archive.writestr(zipfile.ZipInfo(f"{name}.dist-info/RECORD", (2020, 1, 1, 0, 0, 0)),
                         record.getvalue())
    return wheel


def lock_entry(wheel: Path, names: set[str]) -> tuple[str, dict]:
    """The wheel's entry in a Pyodide lockfile: its file, hash, imports and dependencies."""
    with zipfile.ZipFile(wheel) as archive:
        members = archive.namelist()
        (metadata_path,) = [m for m in members if m.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(archive.read(metadata_path).decode("utf-8"))
        top_level = [m for m in members if m.endswith(".dist-info/top_level.txt")]
        if top_level:
            imports = archive.read(top_level[0]).decode().split()
        else:
            imports = sorted({m.split("/")[0].removesuffix(".py") for m in members
                              if ".dist-info/" not in m and (m.count("/") or m.endswith(".py"))})
    depends = []
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        try:
            needed = requirement.marker is None or requirement.marker.evaluate(BROWSER_MARKERS)
        except InvalidMarker:
            needed = True
        # A dependency the browser has no wheel for (gategrad's renderer program, Pillow, svglib)
        # is left out: the code that needs it says so when it is called.
        if needed and canonicalize_name(requirement.name) in names:
            depends.append(canonicalize_name(requirement.name))
    name = canonicalize_name(metadata["Name"])
    return name, {
        "name": metadata["Name"], "version": metadata["Version"], "file_name": wheel.name,
        "install_dir": "site", "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "package_type": "package", "imports": imports, "depends": sorted(set(depends)),
        "unvendored_tests": False, "tool": {},
    }


def stage_pyodide(pyodide: Path, wheels: list[Path], target: Path) -> list[str]:
    """Pyodide with a lockfile of exactly these wheels, in `target`; the names to preload."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(pyodide / name, target / name)
    names = {canonicalize_name(parse_wheel_filename(w.name)[0]) for w in wheels}
    packages = {}
    for wheel in wheels:
        shutil.copy2(wheel, target / wheel.name)
        key, entry = lock_entry(wheel, names)
        packages[key] = entry
    info = json.loads((pyodide / "pyodide-lock.json").read_text())["info"]
    lock = {"info": info, "packages": dict(sorted(packages.items()))}
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    return sorted(packages)


def stage_notebooks(target: Path) -> list[Path]:
    """Every lesson and the student's exercise notebook, set to the Pyodide kernel; a lesson that
    needs what the browser has not got says so in a note under its title."""
    shutil.rmtree(target, ignore_errors=True)
    source = ROOT / "notebooks"
    notebooks = {}
    for notebook in sorted(source.rglob("*.ipynb")):
        relative = notebook.relative_to(source)
        # The solutions stay out: the site is what a teacher hands to the students.
        if "solutions" in relative.parts or ".ipynb_checkpoints" in relative.parts:
            continue
        notebooks[relative] = json.loads(notebook.read_text(encoding="utf-8"))
    needs = {relative: not_in_browser(data) for relative, data in notebooks.items()}
    runnable = [relative.with_suffix("").as_posix() for relative in notebooks
                if not needs[relative]]
    for relative, data in notebooks.items():
        if needs[relative]:
            data["cells"].insert(1, browser_note(needs[relative], runnable))
        data.setdefault("metadata", {})["kernelspec"] = {
            "name": KERNEL_NAME, "display_name": "Python (Pyodide)", "language": "python"}
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    shutil.copy2(source / "README.md", target / "README.md")
    return list(notebooks)


def not_in_browser(notebook: dict) -> list[str]:
    """What the notebook imports at the top level that the browser's Python has not got."""
    return sorted({m.group(1) for cell in notebook["cells"] if cell["cell_type"] == "code"
                   for m in NOT_IN_BROWSER.finditer("".join(cell["source"]))})


def browser_note(needs: list[str], runnable: list[str]) -> dict:
    """The markdown cell that tells a reader in the browser why this lesson will not run here."""
    names = {"PIL": "Pillow"}
    listed = " and ".join(", ".join(names.get(n, n) for n in needs).rsplit(", ", 1))
    text = (f"> **In the browser this lesson is for reading.** It uses {listed}, which the "
            f"browser's Python on this site has not got (it has the standard library and pure "
            f"Python packages only), so it stops at the cell that imports them. To run it, "
            f"open it on a computer with gategrad installed (`make notebook` in a checkout of "
            f"gategrad opens the lessons in JupyterLab). These run here in full: "
            f"{', '.join(runnable)}.")
    return {"cell_type": "markdown", "id": "in-the-browser", "metadata": {}, "source": text}


def write_config(lite_dir: Path, preload: list[str]) -> None:
    """jupyter-lite.json: the kernel loads every wheel of the lockfile, never PyPI."""
    settings = {
        "disablePyPIFallback": True,
        # every wheel, so the kernel's own installs find them loaded and ask no index
        "loadPyodideOptions": {"packages": preload},
    }
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "gategrad in the browser",
            # window.jupyterapp, as JupyterLab's --expose-app-in-browser: the browser test drives
            # the notebook through it
            "exposeAppInBrowser": "true",
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": settings},
        },
    }
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(config, indent=2) + "\n")


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "site-cache")
    args = parser.parse_args(argv)
    cache, out = args.cache.resolve(), args.out.resolve()

    pyodide = fetch_npm("pyodide", cache)
    viz = fetch_npm("viz", cache)
    kernel_wheels = sorted((Path(sys.prefix) / "share" / "jupyter" / "labextensions" /
                            "@jupyterlite" / "pyodide-kernel-extension" / "static" / "pypi"
                            ).glob("*.whl"))
    # of the two widgetsnbextension stand-ins, the one ipywidgets 8 asks for
    kernel_wheels = [w for w in kernel_wheels if "widgetsnbextension-3." not in w.name]
    if not kernel_wheels:
        raise RuntimeError("jupyterlite-pyodide-kernel's wheels are missing: install "
                           "docs/site/requirements.txt first (make site does)")
    wheels = [*fetch_wheels(cache), *kernel_wheels, build_viz_wheel(viz, cache / "own"),
              build_gategrad_wheel(cache / "gategrad")]

    lite_dir = cache / "lite"
    lite_dir.mkdir(parents=True, exist_ok=True)
    preload = stage_pyodide(pyodide, wheels, lite_dir / "static" / "pyodide")
    stage_notebooks(lite_dir / "files")
    write_config(lite_dir, preload)

    # a whole build each time (a few seconds): doit's record of the last one would skip steps
    # whose output went with the old site
    shutil.rmtree(out, ignore_errors=True)
    for record in lite_dir.glob(".jupyterlite.doit.db*"):
        record.unlink()
    subprocess.run([sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir),
                    "--contents", str(lite_dir / "files"), "--output-dir", str(out),
                    "--no-sourcemaps"], check=True, cwd=lite_dir)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"built {out} ({size / 1e6:.1f} MB); serve it with: python -m http.server -d {out.name}")
    return out


if __name__ == "__main__":
    main()

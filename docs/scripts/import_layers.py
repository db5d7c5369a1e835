"""Count the package's files, import layers, back-edges and cycles (docs/architecture.md).

    python docs/scripts/import_layers.py              # the working tree
    python docs/scripts/import_layers.py --rev REV    # a commit, e.g. the flat layout

It reuses the import walker of ``tests/test_architecture.py`` (ast only, nothing is
imported). Definitions:

- *layers*: modules on the longest import chain, after merging each cycle into one
  node; "at import" counts the imports that run when a module is imported, "all" also
  those inside functions;
- *back-edge*: an import (anywhere) of a module of a later stage, in the stage order of
  the test (``STAGES``; for the flat layout, ``FLAT_STAGES`` below gives each old module
  the stage it now lives in);
- *cycle*: a set of modules that import each other, directly or not.
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import subprocess
import sys
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: the flat layout (up to commit a14f07f): old module -> its stage
FLAT_STAGES = {
    "core": "errors _validation _optional _version series",
    "records": "records _records_schema _records_io fx _records_fx",
    "history": "history _history_fit _history_obs _history_ssm _profile _history_nowcast "
               "_history_check",
    "models": "models _families _simulate _modelargs _selection",
    "scenarios": "distributions _distribution_base _assumptions _primitives scenarios "
                 "presets config",
    "projection": "engine result _chunks _stats _decompose _io _checks",
    "evaluation": "evaluation _backtest metrics sensitivity _sobol _crn",
    "faces": "plotting _plot_base _summaries report _report_html _report_sections cli "
             "_cli_commands _cli_util",
    "front door": "__main__",
}


def _architecture_test():
    path = ROOT / "tests" / "test_architecture.py"
    spec = importlib.util.spec_from_file_location("_architecture", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _layers(arch, edges, modules) -> int:
    node = {m: m for m in modules}
    for component in arch.cycles(edges):
        for m in component:
            node[m] = component[0]
    graph: dict[str, set[str]] = {}
    for e in edges:
        if node[e.source] != node[e.target]:
            graph.setdefault(node[e.source], set()).add(node[e.target])
    depth: dict[str, int] = {}

    def visit(v: str) -> int:
        if v not in depth:
            depth[v] = 1 + max((visit(w) for w in graph.get(v, ())), default=0)
        return depth[v]

    return max(visit(node[m]) for m in modules)


def measure(src: pathlib.Path, flat: bool) -> dict:
    arch = _architecture_test()
    arch.SRC, arch.ROOT = src, src.parents[1]
    modules = arch.source_files(src)
    edges = arch.imports(src)
    at_import = [e for e in edges if e.runtime]
    names = [name for name, _ in arch.STAGES]
    if flat:
        stage = {f"forecast.{m}": names.index(s) for s, ms in FLAT_STAGES.items()
                 for m in ms.split()}
        stage["forecast"] = names.index("front door")
        stage_of = stage.get
    else:
        stage_of = arch.stage_of
    back = [e for e in edges
            if stage_of(e.target) is not None and stage_of(e.source) is not None
            and stage_of(e.target) > stage_of(e.source)]
    return {
        "files": len(modules),
        "folders": len({p.parent for p in modules.values()}),
        "layers at import": _layers(arch, at_import, modules),
        "layers (all imports)": _layers(arch, edges, modules),
        "back-edges": [f"{e.source} -> {e.target}" for e in back],
        "cycles at import": arch.cycles(at_import),
        "cycles (all imports)": arch.cycles(edges),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", help="measure this git commit instead of the working tree")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.rev:
            archive = pathlib.Path(tmp) / "src.tar"
            subprocess.run(["git", "archive", "-o", str(archive), args.rev, "src/forecast"],
                           cwd=ROOT, check=True)
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
            src = pathlib.Path(tmp) / "src" / "forecast"
        else:
            src = ROOT / "src" / "forecast"
        flat = not (src / "projection").is_dir()
        for key, value in measure(src, flat).items():
            if isinstance(value, list):
                print(f"{key}: {len(value)}")
                for item in value:
                    print(f"    {item}")
            else:
                print(f"{key}: {value}")


if __name__ == "__main__":
    main()

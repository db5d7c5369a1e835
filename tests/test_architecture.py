"""The package's layering: each stage imports only earlier stages, and no module cycles.

The stage order is data (``STAGES``), the same table as ``docs/architecture.md``. The
tests read every source file of ``src/forecast`` with :mod:`ast` (nothing is imported),
resolve relative imports, and check two rules:

- no import cycle among modules, counting the imports that run when a module is
  imported (module and class level, not those inside functions or under
  ``if TYPE_CHECKING``);
- no module imports a module of a later stage, counting every import, including those
  inside functions; ``ALLOWED`` lists the documented exceptions.

A failure names the file, the line and the import, and says what to do.
"""

from __future__ import annotations

import ast
import pathlib
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "forecast"

#: Stages in import order: a module may import its own stage and earlier ones. A name is
#: a module, or a package standing for all its modules; the front door (the package
#: root and ``python -m forecast``) may import everything.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("forecast.errors", "forecast._seeds", "forecast._validation", "forecast._optional",
              "forecast._version", "forecast._keywords", "forecast._io", "forecast._resources",
              "forecast._threads", "forecast._defaults", "forecast.series")),
    ("records", ("forecast.records",)),
    ("history", ("forecast.history",)),
    ("models", ("forecast.models",)),
    ("scenarios", ("forecast.scenarios",)),
    ("projection", ("forecast.projection",)),
    ("markets", ("forecast.markets",)),
    ("evaluation", ("forecast.evaluation",)),
    ("testing", ("forecast.testing",)),
    ("faces", ("forecast.plotting", "forecast.report", "forecast.cli")),
    ("front door", ("forecast", "forecast.__main__")),
)

#: (importing module, imported module) pairs allowed against the stage order; each must
#: be an import inside a function. ``Projection.plot`` and ``MarketProjection.plot`` draw
#: fan charts, a documented convenience, as pandas' ``DataFrame.plot`` is
#: (docs/architecture.md).
ALLOWED: frozenset[tuple[str, str]] = frozenset({
    ("forecast.projection.projection", "forecast.plotting"),
    ("forecast.markets.projection", "forecast.plotting"),
})


@dataclass(frozen=True)
class Import:
    """One resolved import of a forecast module by another."""

    source: str  # importing module, e.g. "forecast.projection.engine"
    target: str  # imported module, e.g. "forecast.projection.chunks"
    path: pathlib.Path
    line: int
    text: str  # the import statement as written
    runtime: bool  # runs when `source` is imported (not in a function or TYPE_CHECKING)

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: `{self.text}`"


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(src: pathlib.Path = SRC) -> dict[str, pathlib.Path]:
    """Module name -> file, for every ``.py`` file of the package."""
    return {module_name(p): p for p in sorted(src.rglob("*.py"))}


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, path: pathlib.Path, modules: set[str], text: str):
        self.module, self.path, self.modules, self.text = module, path, modules, text
        self.is_package = path.name == "__init__.py"
        self.lazy = 0  # depth inside functions and TYPE_CHECKING blocks
        self.found: list[Import] = []
        self.seen: set[tuple[str, ast.stmt]] = set()

    def _nested(self, node: ast.AST) -> None:
        self.lazy += 1
        self.generic_visit(node)
        self.lazy -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _nested

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" in ast.unparse(node.test):
            self._nested(node)
        else:
            self.generic_visit(node)

    def _add(self, node: ast.stmt, target: str) -> None:
        # a name that is no module of its own (a class, a function) lives in its package
        while target not in self.modules and "." in target:
            target = target.rsplit(".", 1)[0]
        if target in self.modules and target != self.module and (target, node) not in self.seen:
            self.seen.add((target, node))  # one record per statement and target
            self.found.append(Import(self.module, target, self.path, node.lineno,
                                     ast.get_source_segment(self.text, node) or "",
                                     self.lazy == 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "forecast" or alias.name.startswith("forecast."):
                self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.module.split(".")
            if not self.is_package:
                base.pop()
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if not (target == "forecast" or target.startswith("forecast.")):
            return
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            self._add(node, sub if sub in self.modules else target)


def imports(src: pathlib.Path = SRC) -> list[Import]:
    """Every import of a forecast module by a forecast module, resolved."""
    files = source_files(src)
    out: list[Import] = []
    for module, path in files.items():
        text = path.read_text(encoding="utf-8")
        collector = _Collector(module, path, set(files), text)
        collector.visit(ast.parse(text, filename=str(path)))
        out.extend(collector.found)
    return out


def stage_of(module: str) -> int | None:
    """Index of the module's stage in STAGES (exact names first, then packages)."""
    best, best_len = None, -1
    for i, (_, names) in enumerate(STAGES):
        for name in names:
            exact = module == name
            inside = name != "forecast" and module.startswith(name + ".")
            if (exact or inside) and len(name) > best_len:
                best, best_len = i, len(name)
    return best


def cycles(edges: list[Import]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.fixture(scope="module")
def all_imports() -> list[Import]:
    return imports()


def test_the_walker_sees_the_package(all_imports):
    files = source_files()
    assert {"forecast", "forecast.projection.projection", "forecast.cli.parser"} <= set(files)
    # relative imports resolve: the engine imports the chunk kernel and core validation
    engine = {e.target for e in all_imports if e.source == "forecast.projection.engine"}
    assert {"forecast.projection.chunks", "forecast._validation"} <= engine
    # imports inside functions are seen and marked as such
    plot = [e for e in all_imports if (e.source, e.target) in ALLOWED]
    assert plot
    assert not any(e.runtime for e in plot)


def test_every_module_has_a_stage():
    missing = [m for m in source_files() if stage_of(m) is None]
    assert not missing, (
        "these modules belong to no stage: " + ", ".join(missing)
        + ". Add them (or their package) to STAGES in tests/test_architecture.py and to the "
        "table in docs/architecture.md."
    )


def test_no_import_cycle(all_imports):
    runtime = [e for e in all_imports if e.runtime]
    found = cycles(runtime)
    lines = []
    for component in found:
        inside = set(component)
        lines.append("cycle among " + ", ".join(component) + ":")
        lines += ["    " + e.where() for e in runtime if e.source in inside and e.target in inside]
    assert not found, (
        "import cycles (imports that run at import time):\n" + "\n".join(lines)
        + "\nMove the shared code to the earlier module, or pass values instead of importing."
    )


def test_no_stage_imports_a_later_stage(all_imports):
    bad = []
    for e in all_imports:
        s, t = stage_of(e.source), stage_of(e.target)
        if s is None or t is None or t <= s or (e.source, e.target) in ALLOWED:
            continue
        bad.append(f"{e.where()}: stage '{STAGES[s][0]}' ({e.source}) imports stage "
                   f"'{STAGES[t][0]}' ({e.target})")
    order = " -> ".join(name for name, _ in STAGES)
    assert not bad, (
        f"imports against the stage order {order}:\n" + "\n".join(bad)
        + "\nA stage may import only itself and earlier stages: move the code, or let the "
        "later stage call the earlier one (see docs/architecture.md)."
    )


def test_allowed_exceptions_are_lazy_and_used(all_imports):
    seen = {(e.source, e.target): e for e in all_imports if (e.source, e.target) in ALLOWED}
    assert set(seen) == set(ALLOWED), f"unused ALLOWED entries: {set(ALLOWED) - set(seen)}"
    eager = [e.where() for e in seen.values() if e.runtime]
    assert not eager, "allowed exceptions must be imports inside functions: " + ", ".join(eager)


@pytest.mark.parametrize("package", [n for _, names in STAGES[1:-1] for n in names
                                     if SRC.joinpath(*n.split(".")[1:]).is_dir()])
def test_every_subpackage_has_an_explicit_all(package):
    path = SRC.joinpath(*package.split(".")[1:], "__init__.py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    listed = [ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
              and any(getattr(t, "id", None) == "__all__" for t in n.targets)]
    assert listed, f"{path.relative_to(ROOT)} must define a literal __all__"
    assert listed[0], f"{path.relative_to(ROOT)}: __all__ is empty"
    bound = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom)
             for a in n.names}
    assert set(listed[0]) <= bound, f"{path.relative_to(ROOT)}: __all__ names unbound names"


_FILE = r"(?<![\w/.])\w+\.(?:py|csv|md|html|css|typed)\b"


def layout() -> dict[str, str]:
    """docs/architecture.md's layout tree: entry ("records/", "series.py") -> its text."""
    import re

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("## The layout", 1)[1].split("```", 2)[1]
    entries: dict[str, str] = {}
    name = None
    for line in block.splitlines():
        m = re.match(r"^  (\S+)\s*(.*)$", line)
        if m:
            name = m.group(1)
            entries[name] = m.group(2)
        elif name is not None and line.strip():
            entries[name] += " " + line.strip()
    return entries


def test_the_layout_in_the_docs_names_every_file():
    """Every file of the package is named in docs/architecture.md's tree, under its folder,
    and every file the tree names exists (the tree had missed four modules and a data
    file for several releases)."""
    import re

    entries = layout()
    named: dict[str, set[str]] = {"": set()}
    for entry, text in entries.items():
        found = set(re.findall(_FILE, text))
        if entry.endswith("/"):
            named[entry.rstrip("/")] = found
        else:
            named[""] |= found | {entry}
    def files(folder: str) -> set[str]:  # a subpackage's __init__.py goes without saying
        return {p.name for p in (SRC / folder).iterdir()
                if p.is_file() and (folder == "" or p.name != "__init__.py")}

    on_disk = {folder: files(folder) for folder in
               ["", *(p.name for p in SRC.iterdir() if p.is_dir() and p.name != "__pycache__")]}
    missing = {f"{folder}/{n}".lstrip("/") for folder, files in on_disk.items()
               for n in files - named.get(folder, set())}
    stale = {f"{folder}/{n}".lstrip("/") for folder, files in named.items()
             for n in files - on_disk.get(folder, set())}
    assert not missing, ("docs/architecture.md's layout does not name: "
                         + ", ".join(sorted(missing)) + "; add each with what it holds")
    assert not stale, ("docs/architecture.md's layout names files that do not exist: "
                       + ", ".join(sorted(stale)))

"""The docs cannot go stale: their code runs, and every output they show is the code's.

- Every ```python block of README.md and docs/*.md runs, file by file, in order, in one
  namespace, as a notebook would (in a temporary folder that sees ``examples/``). A block
  that is shown but must not run is preceded by ``<!-- no-run -->`` (kept rare).
- Every ```toml block is a valid scenario file.
- Every printed output (a ```text block, the non-``$`` lines of a ```console block, a
  marked table) sits between ``<!-- output: KEY -->`` and ``<!-- /output -->`` and equals
  what ``docs/scripts/doc_outputs.py`` prints for KEY today. To update the docs after a
  change of the models, the data or the CLI: ``python docs/scripts/refresh.py``.
"""

from __future__ import annotations

import os
import pathlib
import re
import sys
import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

import forecast

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "docs" / "scripts"
sys.path.insert(0, str(SCRIPTS))

import doc_outputs  # noqa: E402  (docs/scripts is not a package)
import refresh  # noqa: E402

FILES = refresh.doc_files()
_BLOCK = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<code>.*?)^```\n", re.S | re.M)
_NO_RUN = "<!-- no-run -->"


def blocks(text: str, lang: str) -> list[tuple[int, str]]:
    """(line, code) of the fenced blocks of `lang` that are meant to run."""
    out = []
    for m in _BLOCK.finditer(text):
        before = text[:m.start()].rstrip().splitlines()[-1:] or [""]
        if m.group("lang") == lang and before[0].strip() != _NO_RUN:
            out.append((text[:m.start()].count("\n") + 1, m.group("code")))
    return out


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_python_blocks_run_in_order(path, tmp_path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    # a real module, as a notebook's __main__ is: dataclasses defined in a block need it
    module = types.ModuleType(f"docs_{path.stem}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    try:
        for line, code in blocks(text, "python"):
            exec(compile(code, f"{path.name}:{line}", "exec"), module.__dict__)
    finally:
        plt.close("all")
    # what a block writes is what its name says (cli.md once wrote SVG bytes to .png)
    for written in tmp_path.rglob("*"):
        magic = _MAGIC.get(written.suffix.lower())
        if magic and written.is_file() and not written.is_symlink():
            head = written.read_bytes()[:256].lstrip()
            assert head.startswith(magic), f"{path.name} wrote {written.name}: {head[:20]!r}"


#: how files of these extensions begin
_MAGIC = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF", ".html": b"<!DOCTYPE html"}


def test_few_blocks_are_exempt():
    exempt = sum(p.read_text(encoding="utf-8").count(_NO_RUN) for p in FILES)
    assert exempt <= 3


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_toml_blocks_are_valid_scenario_files(path):
    for line, code in blocks(path.read_text(encoding="utf-8"), "toml"):
        try:
            forecast.loads_scenarios(code)
        except forecast.ForecastError as exc:
            pytest.fail(f"{path.name}:{line}: {exc}")


def _marked_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in refresh.MARK.finditer(text)]


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_every_shown_output_comes_from_a_script(path):
    """Outputs in the docs are marked, so that the check below covers them all."""
    text = path.read_text(encoding="utf-8")
    spans = _marked_spans(text)
    loose = []
    for m in _BLOCK.finditer(text):
        lang, code = m.group("lang"), m.group("code")
        shows_output = lang == "text" or (lang == "console" and any(
            ln.strip() and not ln.startswith(("$ ", "#")) and not re.match(r"^\w[\w.-]* ", ln)
            for ln in code.splitlines()))
        if shows_output and not any(a <= m.start() < b for a, b in spans):
            loose.append(text[:m.start()].count("\n") + 1)
    assert loose == [], (f"{path.name}: output blocks at lines {loose} are not produced by "
                         "docs/scripts/doc_outputs.py; mark them <!-- output: KEY -->")
    for key, _ in refresh.marked(text):
        assert key in doc_outputs.OUTPUTS, f"{path.name}: unknown output key {key!r}"


KEYS = sorted({key for p in FILES for key, _ in refresh.marked(p.read_text(encoding="utf-8"))})


def _key_params():
    return [pytest.param(k, marks=pytest.mark.slow) if k in doc_outputs.SLOW else k
            for k in KEYS]


@pytest.mark.parametrize("key", _key_params())
def test_shown_outputs_are_what_the_code_prints(key):
    shown = {p.name: t for p in FILES for k, t in refresh.marked(p.read_text(encoding="utf-8"))
             if k == key}
    assert shown, key
    cwd = os.getcwd()
    fresh = doc_outputs.OUTPUTS[key]()
    assert os.getcwd() == cwd
    for name, text in shown.items():
        same = (_close(text, fresh, doc_outputs.APPROX_RTOL) if key in doc_outputs.APPROXIMATE
                else text == fresh)
        assert same, (f"{name}: the output {key!r} is stale; run "
                      "`python docs/scripts/refresh.py` and review the diff")


_DECIMAL = re.compile(r"-?\d+\.\d+")


def _close(shown: str, fresh: str, rtol: float) -> bool:
    """The same text, with each decimal number within `rtol` (or 0.002) of the fresh one."""
    if _DECIMAL.sub("#", shown) != _DECIMAL.sub("#", fresh):
        return False
    return all(abs(float(a) - float(b)) <= max(rtol * abs(float(b)), 0.002)
               for a, b in zip(_DECIMAL.findall(shown), _DECIMAL.findall(fresh), strict=True))


def test_the_approximate_comparison_still_catches_a_stale_output():
    shown = "| bottom-up | 12 | 6.208 | 0.058 |"
    assert _close(shown, "| bottom-up | 12 | 5.999 | 0.058 |", 0.05)  # statsmodels 0.14
    assert not _close(shown, "| bottom-up | 12 | 7.100 | 0.058 |", 0.05)  # a real change
    assert not _close(shown, "| bottom-up | 11 | 6.208 | 0.058 |", 0.05)  # a count
    assert not _close(shown, "| split | 12 | 6.208 | 0.058 |", 0.05)  # the text


IMG = ROOT / "docs" / "img"


def test_every_image_has_a_script_that_records_what_it_shows():
    """An image the docs show is drawn by a script listed in ``doc_outputs.IMAGES``, so the
    check below covers it (the README's chart was once drawn from an older model and
    showed a narrower band than the code gives, for several releases)."""
    images = sorted(p.name for p in IMG.glob("*.png"))
    assert images == sorted(doc_outputs.IMAGES), (
        "add each image of docs/img/ to doc_outputs.IMAGES with the script that draws it")
    for path in FILES:
        for ref in re.findall(r"\]\(((?:docs/)?img/[^)]+)\)", path.read_text(encoding="utf-8")):
            assert (path.parent / ref).exists(), f"{path.name}: {ref} does not exist"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(doc_outputs.IMAGES))
def test_images_show_what_the_code_draws(name):
    """PNG bytes differ between matplotlib versions; the figures an image shows (its
    bands and lines at their last year, its labels: docs/img/NAME.txt) must not."""
    record, _ = doc_outputs.IMAGES[name]
    shown = refresh.image_record(name).read_text(encoding="utf-8")
    assert shown == record(), (f"docs/img/{name} is stale: run `python docs/scripts/refresh.py` "
                               "(it redraws the image and its record) and look at the image")


def test_the_scale_option_quotes_the_bands_models_md_shows():
    """cli.md's `--scale` row quotes two 80% bands in a table cell, where no output block
    fits; they are the ones docs/models.md's (checked) censoring table shows."""
    import model_figures

    chosen = model_figures.censored_band(model_figures._fit(), (2050,))[2050]
    log = model_figures.censored_band(model_figures._fit(scale="log"), (2050,))[2050]
    row = next(ln for ln in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").splitlines()
               if ln.startswith("| `--scale"))
    want = f"in 2050: {log} USD bn on the log scale against {chosen} on the chosen one"
    assert want in row, f"docs/cli.md's --scale row is stale; it should say: {want}"


def _extras_named(text: str, start: str, end: str) -> set[str]:
    return set(re.findall(r"`(\w+)`", text.split(start, 1)[1].split(end, 1)[0]))


def test_the_docs_list_the_extras_pyproject_defines():
    """README.md and docs/index.md name every extra of pyproject.toml, and no other (index.md
    once left out `threads`)."""
    import tomllib

    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["project"]["optional-dependencies"])
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _extras_named(index, "the extras are", "Python 3.11") == extras
    assert _extras_named(readme, "Extras:", "`import forecast`") == extras


def test_the_executor_speed_ups_quoted_are_the_latest_measured():
    """docs/results.md quotes the executors' speed-ups of the committed benchmark table
    (cli.md points there instead of quoting its own: the pages once gave three ranges)."""
    table = (ROOT / "benchmarks" / "results" / "bench_engine.md").read_text(encoding="utf-8")
    section = table.split("## e. Executors", 1)[1].split("\n## ", 1)[0]
    results = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    for executor in ("ProcessPoolExecutor(2)", "ThreadPoolExecutor(2)"):
        row = next(ln for ln in section.splitlines() if ln.startswith(f"| {executor} |"))
        lo, mid = row.strip("| ").split(" | ")[-1].split(" / ")
        assert results.count(f"{lo}x / {mid}x") >= 2, (
            f"docs/results.md does not quote {executor}'s {lo}x / {mid}x of "
            "benchmarks/results/bench_engine.md (section e) where it gives the speed-ups")


def test_no_doc_sets_the_attrs_tornado_sets_itself():
    """docs/cli.md's Python equivalent of `run` set sens.attrs["scenario"] after
    forecast.tornado, which sets it (and "unit"); report.write_report's docstring told
    users to do so. Both now say tornado does."""
    import forecast.evaluation as ev
    import forecast.report as rp

    for path in FILES:
        assert 'attrs["scenario"] =' not in path.read_text(encoding="utf-8"), path.name
    assert "which ``tornado`` sets" in rp.write_report.__doc__
    assert ev.tornado.__doc__.count("``scenario`` (its name) and ``unit``") == 1

"""Bad inputs of the records stage: user CSV files, frames, filters and CSV output."""

from __future__ import annotations

from cases import case
from world import write_variant

from forecast import Records
from forecast.errors import DataError, ForecastTypeError, OutputError, ParameterError

# one bad cell of a user's releases CSV -> fragments of the message (row 1 is 2009 US
# full-year level 28.1 USD_1e8; row 3 a growth rate; all rows are reported by number)
CELLS = {
    "value-thousands": (0, "value", "1,234", ("row 1", "'value'", "'1,234'", "separator")),
    "value-underscore": (0, "value", "1_000", ("row 1", "'value'", "'1_000'", "underscores")),
    "value-fullwidth": (0, "value", "１２３", ("row 1", "'value'", "'１２３'", "0-9")),
    "value-arabic-indic": (0, "value", "١٢٣", ("row 1", "'value'", "'١٢٣'", "0-9")),
    "value-tiny": (0, "value", "1e-300", ("row 1", "'value'", "1e-300", "outside")),
    "value-huge": (0, "value", "1e15", ("row 1", "'value'", "1e15", "outside")),
    "value-inf": (0, "value", "inf", ("row 1", "'value'", "inf is not finite")),
    "value-nan": (0, "value", "nan", ("row 1", "'value'", "nan is not finite")),
    "value-missing": (0, "value", "", ("row 1", "'value'", "missing")),
    "value-text": (0, "value", "about 30", ("row 1", "'value'", "'about 30'")),
    "value-negative-level": (0, "value", "-3", ("row 1", "'value'", "-3 must be > 0")),
    "year-fullwidth": (0, "year", "２００９", ("row 1", "'year'", "'２００９'", "0-9")),
    "year-underscore": (0, "year", "2_009", ("row 1", "'year'", "'2_009'", "underscores")),
    "year-far": (0, "year", "20090", ("row 1", "'year'", "20090", "outside")),
    "year-fraction": (0, "year", "2009.5", ("row 1", "'year'", "2009.5", "whole-number")),
    "months-13": (0, "months", "13", ("row 1", "'months'", "13", "1..12")),
    "months-0": (0, "months", "0", ("row 1", "'months'", "0", "1..12")),
    "market-lower": (0, "market", "us", ("row 1", "'market'", "'us'", "Did you mean 'US'")),
    "market-missing": (0, "market", "", ("row 1", "'market'", "missing")),
    "market-all-plus": (0, "market", "ALL+US", ("row 1", "'market'", "ALL+US")),
    "segment": (0, "segment", "it", ("row 1", "'segment'", "'it'")),
    "flow": (0, "flow", "offshore_flow", ("row 1", "'flow'", "'offshore_flow'")),
    "measure": (0, "measure", "levels", ("row 1", "'measure'", "'levels'", "Did you mean")),
    "unit": (0, "unit", "USD", ("row 1", "'unit'", "'USD'")),
    "basis": (0, "basis", "EUR", ("row 1", "'basis'", "'EUR'")),
    "confidence": (0, "confidence", "sure", ("row 1", "'confidence'", "'sure'")),
    "published-month-13": (0, "published", "2023-13", ("row 1", "'published'", "'2023-13'")),
    "published-too-early": (0, "published", "2009-06", ("row 1", "'published'", "'2009-06'",
                                                       "before the end of the period")),
    "source-missing": (0, "source", "", ("row 1", "'source'", "missing")),
}


def _cell(row: int, column: str, text: str):
    def setup(w, folder):
        return write_variant(w.frame, folder / "bad.csv", row, column, text)

    return setup


for _id, (_row, _col, _text, _needles) in CELLS.items():
    case("records", f"cell-{_id}", DataError, *_needles, setup=_cell(_row, _col, _text))(
        lambda w, p, mp: Records.from_csv(p))


def _growth_row(w) -> int:
    f = w.frame
    return int(f.index[(f["measure"] == "yoy_growth")][0])


def _share_row(w) -> int:
    f = w.frame
    return int(f.index[(f["measure"] == "share")][0])


@case("records", "growth-minus-100", DataError, "'value'", "-100 must be > -100",
      setup=lambda w, d: write_variant(w.frame, d / "bad.csv", _growth_row(w), "value", "-100"))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "growth-absurd", DataError, "'value'", "5000", "above 1000",
      setup=lambda w, d: write_variant(w.frame, d / "bad.csv", _growth_row(w), "value", "5000"))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "share-over-100", DataError, "'value'", "150", "(0, 100]",
      setup=lambda w, d: write_variant(w.frame, d / "bad.csv", _share_row(w), "value", "150"))
def _(w, p, mp):
    Records.from_csv(p)


def _text(name: str, text: bytes):
    def setup(w, folder):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(text)
        return folder / name

    return setup


HEADER = (b"market,segment,flow,year,months,measure,value,unit,basis,published,source,"
          b"address,confidence,note\n")
ROW = b"US,all,offshore_execution,2013,12,level,117.5,USD_1e8,USD,2014-01-20,src,,read,\n"


@case("records", "path-int", ForecastTypeError, "`path`", "42")
def _(w, p, mp):
    Records.from_csv(42)


@case("records", "file-missing", DataError, "nope.csv", "does not exist")
def _(w, p, mp):
    Records.from_csv(w.root / "nope.csv")


@case("records", "file-is-folder", DataError, "'", "is a directory")
def _(w, p, mp):
    Records.from_csv(w.root / "user")


@case("records", "not-utf8", DataError, "not UTF-8", "byte",
      setup=_text("latin.csv", HEADER + ROW.replace(b"src", b"caf\xe9")))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "empty-file", DataError, "empty", setup=_text("empty.csv", b""))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "header-only", DataError, "no data rows", setup=_text("head.csv", HEADER))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "unknown-column", DataError, "unknown column", "'colour'",
      setup=_text("col.csv", HEADER.replace(b"note", b"colour") + ROW))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "missing-column", DataError, "missing required", "'source'",
      setup=_text("miss.csv", HEADER.replace(b"source,", b"") + ROW.replace(b"src,", b"")))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "repeated-column", DataError, "repeated column", "'note'",
      setup=_text("rep.csv", HEADER.replace(b"note", b"note,note") + ROW.rstrip() + b",\n"))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "ragged-row", DataError, "not a valid CSV", "Quote fields",
      setup=_text("rag.csv", HEADER + ROW.rstrip() + b",x,y,z\n"))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "conflicting-figures", DataError, "different values", "117.5", "118",
      setup=_text("conf.csv", HEADER + ROW + ROW.replace(b"117.5", b"118")))
def _(w, p, mp):
    Records.from_csv(p)


@case("records", "filter-unknown-argument", ForecastTypeError, "`colour`", "colour=1")
def _(w, p, mp):
    w.records.filter(colour=1)


@case("records", "filter-misspelt-argument", ForecastTypeError, "`markt`", "'market'")
def _(w, p, mp):
    w.records.filter(markt="US")


@case("records", "filter-market-lower", ParameterError, "`market`", "'us'", "'US'")
def _(w, p, mp):
    w.records.filter(market="us")


@case("records", "filter-months-13", ParameterError, "`months`", "13")
def _(w, p, mp):
    w.records.filter(months=13)


@case("records", "filter-year-far", ParameterError, "`year`", "1800")
def _(w, p, mp):
    w.records.filter(year=1800)


@case("records", "filter-as-of-month-13", ParameterError, "`as_of`", "'2023-13'")
def _(w, p, mp):
    w.records.filter(as_of="2023-13")


@case("records", "filter-as-of-bool", ForecastTypeError, "`as_of`", "True")
def _(w, p, mp):
    w.records.filter(as_of=True)


@case("records", "filter-segment", ParameterError, "`segment`", "'it'")
def _(w, p, mp):
    w.records.filter(segment="it")


@case("records", "filter-empty-list", ParameterError, "`market`", "[]")
def _(w, p, mp):
    w.records.filter(market=[])


@case("records", "concat-not-records", ForecastTypeError, "argument 0", "int")
def _(w, p, mp):
    Records.concat(1)


@case("records", "concat-nothing", ParameterError, "`records`", "got no argument",
      "Records.concat(a, b)")
def _(w, p, mp):
    Records.concat()


@case("records", "add-not-records", ForecastTypeError, "records + other", "int")
def _(w, p, mp):
    w.records + 1


@case("records", "from-frame-not-frame", ForecastTypeError, "`df`", "int")
def _(w, p, mp):
    Records.from_frame(42)


@case("records", "from-frame-missing-column", DataError, "missing required", "'value'")
def _(w, p, mp):
    Records.from_frame(w.frame.drop(columns="value"))


@case("records", "from-frame-bad-row", DataError, "'row'", "0")
def _(w, p, mp):
    Records.from_frame(w.frame.assign(row=0))


@case("records", "to-csv-through-link", OutputError, "link.csv", "symbolic link")
def _(w, p, mp):
    w.records.filter(market="US").to_csv(w.root / "link.csv")


@case("records", "to-csv-over-user-file", OutputError, "precious.csv",
      "was not written by forecast", "the header line market,segment,flow", "force=True")
def _(w, p, mp):
    w.records.filter(market="US").to_csv(w.root / "precious.csv")


@case("records", "fx-to-csv-over-user-file", OutputError, "exchange-rate file",
      "precious.csv", "the header line year,", "force=True")
def _(w, p, mp):
    import forecast

    forecast.load_exchange_rates().to_csv(w.root / "precious.csv")


@case("records", "to-csv-missing-folder", OutputError, "no/such", "does not exist")
def _(w, p, mp):
    w.records.to_csv(w.root / "no" / "such" / "r.csv")


@case("records", "to-csv-onto-folder", OutputError, "user", "is a folder")
def _(w, p, mp):
    w.records.to_csv(w.root / "user")


@case("records", "empty-after-as-of", DataError, "`records`", "at least one record",
      "as_of")
def _(w, p, mp):
    import forecast

    forecast.reconstruct(w.records.filter(as_of="1999"))


@case("records", "outlier-against-releases", DataError, "row ", "level 1e+07", "times",
      "Correct or remove the row")
def _(w, p, mp):
    import forecast

    f = w.frame.copy()
    us = f.index[(f["market"] == "US") & (f["measure"] == "level") & (f["months"] == 12)
                 & (f["segment"] == "all") & (f["flow"] == "offshore_execution")]
    f.loc[us[len(us) // 2], "value"] = 1e7  # a typo: 1e7 where the others are ~1e2-1e3
    forecast.reconstruct(Records.from_frame(f))

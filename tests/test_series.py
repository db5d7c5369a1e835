"""AnnualSeries: validation, pandas round trips, CSV."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from _own_files import refusal

from forecast import AnnualSeries, ForecastError, SeriesError
from forecast.errors import DataError, ForecastTypeError


def test_basic_properties():
    s = AnnualSeries([2020, 2021, 2022], [1.0, 2.0, 4.0], unit="CNY_bn", name="x")
    assert (s.first_year, s.last_year, len(s)) == (2020, 2022, 3)
    np.testing.assert_allclose(s.log_values, np.log([1.0, 2.0, 4.0]))
    assert s.years.dtype == np.int64


def test_frozen_and_readonly():
    s = AnnualSeries([2020, 2021], [1.0, 2.0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.unit = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        s.values[0] = 5.0


def test_input_arrays_are_not_aliased():
    values = np.array([1.0, 2.0])
    s = AnnualSeries([2020, 2021], values)
    values[0] = 99.0
    assert s.values[0] in (1.0, 99.0)  # a view is allowed, but the series' view is read-only
    with pytest.raises(ValueError):
        s.values[1] = 3.0


def test_replace_revalidates():
    s = AnnualSeries([2020, 2021], [1.0, 2.0])
    with pytest.raises(SeriesError, match="> 0"):
        dataclasses.replace(s, values=np.array([1.0, -2.0]))


@pytest.mark.parametrize(
    ("values", "fix"),
    [
        ([0.0, 2.0, 3.0], "got 0.0 in 2015. Correct that value or drop that year."),
        ([1.0, 2.0, -3.0], "got -3.0 in 2017. Correct that value or drop that year."),
        ([1.0, 0.0, 3.0], "got 0.0 in 2016. Correct that value, or start the series in 2017"),
    ],
)
def test_a_bad_value_gets_advice_that_works(values, fix):
    """Dropping an end year works; dropping an inner one leaves a gap, so not advised."""
    with pytest.raises(SeriesError, match=re.escape(fix)):
        AnnualSeries([2015, 2016, 2017], values)
    i = next(k for k, v in enumerate(values) if v <= 0)
    if i in (0, 2):  # the advice, followed, gives a series
        kept = [k for k in range(3) if k != i]
        AnnualSeries([2015 + k for k in kept], [values[k] for k in kept])
    else:  # starting after it does too
        AnnualSeries([2017], [values[2]])


@pytest.mark.parametrize(
    ("years", "values", "match"),
    [
        ([2015, 2017], [1.0, 2.0], "gap: 2016 missing between 2015 and 2017"),
        ([2016, 2015], [1.0, 2.0], "increase by one"),
        ([2015, 2015], [1.0, 2.0], "increase by one"),
        ([2015, 2016], [1.0, 0.0], "got 0.0 in 2016"),
        ([2015, 2016], [1.0, np.nan], "finite and > 0"),
        ([2015, 2016], [1.0, np.inf], "finite and > 0"),
        ([2015, 2016, 2017], [1.0, 2.0], "same length"),
        ([], [], "at least one year"),
        ([2015.5, 2016.5], [1.0, 2.0], "int calendar years"),
        (["a", "b"], [1.0, 2.0], "int calendar years"),
        ([2015, 2016], ["x", "y"], "must be numbers"),
    ],
)
def test_malformed_series(years, values, match):
    with pytest.raises(SeriesError, match=match) as info:
        AnnualSeries(years, values)
    assert isinstance(info.value, ForecastError)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (np.array([1 + 2j, 3]), r"real numbers; got \(1\+2j\) \(complex128\) at position 0"),
        ([2.0, 3 + 0j], r"real numbers; got \(3\+0j\) \(complex(128)?\) at position 1"),
        (np.array([True, True]), r"not booleans; got True at position 0"),
        ([2.0, True], r"not booleans; got True at position 1"),
        ([np.float64(2.0), np.bool_(True)], r"not booleans; got True at position 1"),
    ],
)
def test_complex_and_boolean_values_are_refused_not_converted(values, match):
    with pytest.raises(ForecastTypeError, match=rf"series values must .*{match}\. Pass the "
                       "levels as floats") as info:
        AnnualSeries([2020, 2021], values)
    assert info.value.field == "values"
    with pytest.raises(ForecastTypeError, match="real numbers|not booleans"):
        AnnualSeries.from_pandas(pd.Series(values, index=[2020, 2021]), unit="USD_bn")


def test_bad_unit_type():
    with pytest.raises(ForecastTypeError, match="unit"):
        AnnualSeries([2020], [1.0], unit="")


def test_pandas_round_trip():
    s = AnnualSeries([2019, 2020, 2021], [3.0, 4.0, 5.0], name="US")
    p = s.to_pandas()
    assert isinstance(p.index, pd.PeriodIndex)
    assert p.index.freq == pd.offsets.YearEnd(month=12)  # "Y-DEC" ("A-DEC" before pandas 2.2)
    assert AnnualSeries.from_pandas(p) == s


@pytest.mark.parametrize(
    "index",
    [
        pd.Index([2019, 2020, 2021]),
        pd.DatetimeIndex(["2019-12-31", "2020-12-31", "2021-12-31"]),
        pd.DatetimeIndex(["2019-01-01", "2020-01-01", "2021-01-01"]),
        pd.period_range("2019", periods=3, freq="Y"),
    ],
)
def test_from_pandas_index_kinds(index):
    s = AnnualSeries.from_pandas(pd.Series([1.0, 2.0, 3.0], index=index), unit="USD_bn")
    assert s.years.tolist() == [2019, 2020, 2021]


def test_from_pandas_sorts_unsorted_index():
    s = AnnualSeries.from_pandas(pd.Series([2.0, 1.0], index=[2021, 2020]), unit="CNY_bn")
    assert s.unit == "CNY_bn"
    assert s.values.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("obj", "match"),
    [
        (pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2019-06-30", "2020-06-30"])), "year-end"),
        (pd.Series([1.0, 2.0], index=pd.period_range("2019-01", periods=2, freq="M")), "annual"),
        (pd.Series([1.0, np.nan], index=[2019, 2020]), "missing value in 2020"),
        (pd.Series([1.0, 2.0], index=["a", "b"]), "index must be years"),
    ],
)
def test_from_pandas_errors(obj, match):
    with pytest.raises(SeriesError, match=match):
        AnnualSeries.from_pandas(obj, unit="USD_bn")


def test_from_pandas_needs_a_unit():
    """No silent USD default: the unit comes from the caller or from ``attrs``."""
    from forecast.errors import ParameterError

    s = pd.Series([1.0, 2.0], index=[2020, 2021])
    with pytest.raises(ParameterError, match="unit='USD_bn'"):
        AnnualSeries.from_pandas(s)
    s.attrs["unit"] = "CNY_bn"
    assert AnnualSeries.from_pandas(s).unit == "CNY_bn"
    assert AnnualSeries.from_pandas(s, unit="USD_bn").unit == "USD_bn"


def test_from_pandas_type_errors():
    with pytest.raises(ForecastTypeError, match="pandas Series"):
        AnnualSeries.from_pandas([1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(ForecastTypeError, match="Select one column"):
        AnnualSeries.from_pandas(pd.DataFrame({"a": [1.0], "b": [2.0]}))


def test_csv_round_trip(tmp_path):
    s = AnnualSeries([2019, 2020], [3.5, 4.25])
    path = tmp_path / "s.csv"
    s.to_csv(path)
    assert AnnualSeries.from_csv(path) == s


def test_csv_errors(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("year,amount\n2019,1\n")
    with pytest.raises(DataError, match="no column 'value'"):
        AnnualSeries.from_csv(path)
    path.write_text("year,value\n2019,1\n2020,abc\n")
    with pytest.raises(DataError, match="row 3, column 'value'"):
        AnnualSeries.from_csv(path)
    with pytest.raises(DataError, match="cannot read"):
        AnnualSeries.from_csv(tmp_path / "missing.csv")


def test_window():
    s = AnnualSeries([2019, 2020, 2021], [1.0, 2.0, 3.0])
    assert s.window(2020).years.tolist() == [2020, 2021]
    with pytest.raises(SeriesError, match="holds no year"):
        s.window(2030, 2031)


def test_repr_is_one_short_line_whatever_the_length():
    """A notebook shows the series, not 400 years of numpy arrays."""
    long = AnnualSeries(np.arange(1800, 2201), np.linspace(1.0, 2e15, 401), name="US")
    text = repr(long)
    assert "\n" not in text
    assert len(text) < 120, text
    assert text.startswith("AnnualSeries('US', 1800-2200, USD_bn, [1, 5e+12, 1e+13, ...")
    assert repr(AnnualSeries([2020, 2021], [22.5, 24.0], unit="CNY_bn")) == (
        "AnnualSeries('', 2020-2021, CNY_bn, [22.5, 24])")


@pytest.mark.parametrize("values", [["1.5", "x"], [1.5, "n/a"]])
def test_from_pandas_text_values_name_the_year(values):
    s = pd.Series(values, index=[2020, 2021], dtype=object)
    with pytest.raises(SeriesError, match=r"got 'x' in 2021|got 'n/a' in 2021"):
        AnnualSeries.from_pandas(s, unit="USD_bn")


@pytest.mark.parametrize(("cell", "hint"), [
    ("１", "(write the digits 0-9: full-width and other scripts' digits are not read)"),
    ("١٢", "(write the digits 0-9: full-width and other scripts' digits are not read)"),
    ("1_0", "(remove the underscores)"),
    ("1,5", "(use '.' as the decimal point: 1.5)")])
def test_text_values_are_read_as_a_csv_file_reads_them(tmp_path, cell, hint):
    """float() reads "１" (full-width), "١٢" and "1_0", so the constructor took them while
    a CSV file's were refused (docs/reliability.md); "1,5" was refused with float()'s own
    words. Both now say the same thing."""
    words = f"{cell!r} is not a number {hint}. Write plain ASCII digits, e.g. 2015 or 31.59 " \
            "(no separators)"
    with pytest.raises(SeriesError) as made:
        AnnualSeries([2020, 2021], [cell, "2"])
    assert str(made.value) == f"series values must be numbers; at position 0, {words}, or " \
                              "pass floats."
    with pytest.raises(SeriesError, match="at position 1, "):
        AnnualSeries([2020, 2021], np.array(["2", cell]))
    path = tmp_path / "s.csv"
    path.write_text(f'year,value\n2020,"{cell}"\n2021,2\n', encoding="utf-8")
    with pytest.raises(DataError) as read:
        AnnualSeries.from_csv(path)
    assert f"row 2, column 'value': {words}; correct or remove the row." in str(read.value)
    assert AnnualSeries([2020, 2021], [" 1.5", "2e0"]).values.tolist() == [1.5, 2.0]


def test_from_pandas_numeric_text_is_read():
    s = pd.Series(["1.5", "2"], index=[2020, 2021], dtype=object)
    assert AnnualSeries.from_pandas(s, unit="USD_bn").values.tolist() == [1.5, 2.0]


def test_csv_round_trip_keeps_unit_and_name(tmp_path):
    """CNY figures never come back labelled USD (the file carries unit and name)."""
    s = AnnualSeries(range(2016, 2019), [101.0, 102.5, 110.0], unit="CNY_bn",
                     name="US offshore")
    path = tmp_path / "s.csv"
    s.to_csv(path)
    assert path.read_text().splitlines()[:2] == ["year,value,unit,name",
                                                 "2016,101.0,CNY_bn,US offshore"]
    assert AnnualSeries.from_csv(path) == s
    assert AnnualSeries.from_csv(path, unit="CNY_bn", name="US offshore") == s
    with pytest.raises(DataError, match=r"says unit 'CNY_bn'; got unit='USD_bn'\. Leave unit"):
        AnnualSeries.from_csv(path, unit="USD_bn")
    with pytest.raises(DataError, match=r"says name 'US offshore'; got name='EU'"):
        AnnualSeries.from_csv(path, name="EU")


def test_csv_unit_column_must_hold_one_unit(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("year,value,unit\n2015,1,USD_bn\n2016,7,CNY_bn\n")
    with pytest.raises(DataError, match=r"column 'unit' must hold one value .*'USD_bn', "
                                        r"'CNY_bn'.*Split the file by unit"):
        AnnualSeries.from_csv(path)
    path.write_text("year,value\n2015,1\n")  # a plain file: the documented default
    assert AnnualSeries.from_csv(path).unit == "USD_bn"


def test_csv_missing_cell_is_called_missing(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("year,value\n2020,1\n2021,\n2022,3\n")
    with pytest.raises(DataError, match=r"row 3, column 'value': is missing\. ") as info:
        AnnualSeries.from_csv(path)
    assert "nan" not in str(info.value)


def test_to_csv_replaces_its_own_untouched_file_and_keeps_an_edited_one(tmp_path):
    from forecast.errors import OutputError

    s = AnnualSeries([2023, 2024], [31.0, 31.6], name="US")
    path = tmp_path / "s.csv"
    s.to_csv(path)
    s.to_csv(path)  # untouched: replaced without force
    assert path.read_text().splitlines() == ["year,value,unit,name", "2023,31.0,USD_bn,US",
                                             "2024,31.6,USD_bn,US"]
    with open(path, "a") as fh:
        fh.write("2025,33.0,USD_bn,US\n")
    edited = path.read_text()
    refusal(lambda: s.to_csv(path), path, "series file", "changed since forecast wrote it")
    assert path.read_text() == edited
    assert AnnualSeries.from_csv(path).years.tolist() == [2023, 2024, 2025]
    s.to_csv(path, force=True)
    assert AnnualSeries.from_csv(path).years.tolist() == [2023, 2024]
    other = tmp_path / "other.csv"  # no record beside it
    other.write_text("a,b\n1,2\n")
    with pytest.raises(OutputError, match=r"was not written by forecast.*force=True"):
        s.to_csv(other)
    assert other.read_text() == "a,b\n1,2\n"

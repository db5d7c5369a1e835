"""Bad inputs of the command line (in process): exit 2 and one line naming the problem.

``{root}`` in an argument is the workspace. Most cases fail while parsing or before any
slow work; the few that reach the pipeline use the fast Drift model on few paths. Those
that get past the folder check of ``forecast run`` hold the folder's lock while they
run (a lock file beside it comes and goes), so they are tagged ``STAGED``.
"""

from __future__ import annotations

from cases import STAGED, cli_case

FAST = ("--model", "drift", "--imputations", "1", "--paths", "50", "--seed", "1",
        "--no-plot", "--quiet")

cli_case("seed-comma", "run", "--seed", "1,2", needles=("--seed", "'1,2'", "0-9"))
cli_case("paths-underscore", "run", "--paths", "1_000", needles=("--paths", "'1_000'"))
cli_case("paths-fullwidth", "run", "--paths", "１０", needles=("--paths", "'１０'"))
cli_case("paths-zero", "run", "--paths", "0", needles=("--paths", ">= 1", "got 0"))
cli_case("paths-negative", "run", "--paths", "-5", needles=("--paths", "'-5'"))
cli_case("to-far", "run", "--to", "3000", needles=("--to", "3000"))
cli_case("imputations-zero", "run", "--imputations", "0", needles=("--imputations", "got 0"))
cli_case("workers-zero", "run", "--workers", "0", needles=("--workers", "got 0"))
cli_case("scheduler-timeout-zero", "run", "--scheduler-timeout", "0",
         needles=("--scheduler-timeout", "'0'"))
cli_case("scheduler-timeout-alone", "run", "--scheduler-timeout", "5",
         needles=("--scheduler-timeout", "only applies to --scheduler", "got "
                  "--scheduler-timeout 5"))
cli_case("history-out-xlsx", "history", "--out", "{root}/h.xlsx",
         needles=("--out must be a .csv file", "h.xlsx", "--out h.csv"))
cli_case("sensitivity-out-json", "sensitivity", "--out", "{root}/se.json",
         needles=("--out must be a .csv file", "se.json"))
cli_case("data-validate-with-out", "data", "--validate", "--out", "{root}/v.csv",
         needles=("--validate", "writes nothing", "--out ", "v.csv"))
cli_case("data-validate-with-filter", "data", "--validate", "--market", "EU",
         needles=("--validate", "--market EU", "Drop --validate"))
cli_case("as-of-month-13", "history", "--as-of", "2023-13", needles=("--as-of", "'2023-13'"))
cli_case("model-unknown", "run", "--model", "magic", needles=("--model", "'magic'"))
cli_case("format-unknown", "run", "--format", "xlsx", needles=("--format", "'xlsx'"))
cli_case("data-months-13", "data", "--months", "13", needles=("--months", "13"))
cli_case("data-year-far", "data", "--year", "1800", needles=("--year", "1800"))
cli_case("run-out-user-folder", "run", "--out", "{root}/user", *FAST,
         needles=("--out folder", "user", "not written by forecast", "--force"))
cli_case("run-out-file", "run", "--out", "{root}/precious.csv", *FAST,
         needles=("--out folder", "precious.csv", "is a file"))
cli_case("run-out-link", "run", "--out", "{root}/linkdir", *FAST,
         needles=("--out folder", "linkdir", "symbolic link"))
cli_case("run-out-root", "run", "--out", "/", *FAST,
         needles=("the --out folder must name a file or folder; got '/', which has no name",
                  "e.g. 'forecast-output'"))
cli_case("run-out-lock-is-folder", "run", "--out", "{root}/lockdir", *FAST,
         needles=(".lockdir.lock is a folder, where forecast keeps the lock file of the "
                  "--out folder", "lockdir while writing it; move that folder away"))
cli_case("run-unknown-scenario", "run", "--scenario", "nope", *FAST,
         needles=("--scenario", "'nope'", "Choose among"),
         tags=(STAGED,))
cli_case("run-missing-toml", "run", "{root}/missing.toml", *FAST,
         needles=("missing.toml", "not found"),
         tags=(STAGED,))
cli_case("run-bad-toml", "run", "{root}/records.csv", "--scenario", "x", *FAST,
         needles=("records.csv", "not valid TOML"),
         tags=(STAGED,))
cli_case("history-out-exists", "history", "--out", "{root}/existing.csv",
         needles=("--out file", "existing.csv", "already exists", "--force"))
cli_case("history-out-link", "history", "--out", "{root}/link.csv", "--force",
         needles=("--out file", "link.csv", "symbolic link"))
cli_case("history-plot-exists", "history", "--plot", "{root}/existing.png",
         needles=("--plot file", "existing.png", "already exists"))
cli_case("history-out-folder", "history", "--out", "{root}/user",
         needles=("--out file", "user", "is a folder"))
cli_case("nowcast-plot-exists", "nowcast", "--plot", "{root}/existing.png",
         needles=("--plot file", "existing.png", "already exists"))
cli_case("backtest-out-exists", "backtest", "--out", "{root}/existing.csv",
         needles=("--out file", "existing.csv", "already exists"))
cli_case("sensitivity-baseline", "sensitivity", "--scenario", "baseline",
         needles=("--scenario baseline has no uncertain parameter", "escalation"))
cli_case("sensitivity-fixed-file", "sensitivity", "{root}/fixed.toml",
         needles=("scenario 'flat' (the last one, the default) has no uncertain parameter",
                  'dist = "uniform"'))
cli_case("sensitivity-out-exists", "sensitivity", "--out", "{root}/existing.csv",
         needles=("--out file", "existing.csv", "already exists"))
cli_case("scenarios-dump-exists", "scenarios", "--dump", "{root}/existing.toml",
         needles=("--dump file", "existing.toml", "already exists", "--force"))
cli_case("scenarios-dump-link", "scenarios", "--dump", "{root}/link.toml", "--force",
         needles=("--dump file", "link.toml", "symbolic link"))
cli_case("data-out-exists", "data", "--out", "{root}/existing.csv",
         needles=("--out file", "existing.csv", "already exists"))
cli_case("data-out-below-a-file", "data", "--out", "{root}/precious.csv/r.csv",
         needles=("--out file", "precious.csv is a file, where a folder is needed"))
cli_case("history-plot-below-a-file", "history", "--plot", "{root}/precious.csv/h.png",
         needles=("--plot file", "precious.csv is a file, where a folder is needed"))


def _users_record(w, folder):
    folder.mkdir(parents=True)
    (folder / ".r.csv.forecast.json").write_text("my notes\n")  # not forecast's record


cli_case("data-out-over-a-users-record", "data", "--out",
         "{root}/prepared/cli-data-out-over-a-users-record/r.csv", setup=_users_record,
         needles=("--out file", "r.csv would replace .r.csv.forecast.json beside it, which "
                  "forecast did not write", "pass --force to replace it"))
cli_case("report-out-exists", "report", "--out", "{root}/existing.html", *FAST[:-2],
         needles=("--out file", "existing.html", "already exists"))
cli_case("data-missing-file", "data", "{root}/nope.csv", needles=("nope.csv", "not found"))
cli_case("data-file-is-folder", "data", "{root}/user", needles=("user", "(a folder)"))
cli_case("history-unknown-market", "history", "--market", "XX",
         needles=("--market must be a market", "'XX'"))
cli_case("history-as-of-too-early", "history", "--as-of", "1999-01",
         needles=("--as-of 1999-01", "keeps none", "later date"))
cli_case("history-as-of-before-the-markets-first-record", "history", "--as-of", "2012-03",
         needles=("--as-of 2012-03 keeps no record of --market US", "2012-07-17",
                  "--as-of 2012-07 or later"))
cli_case("run-memory-guard", "run", *FAST[:4], "--paths", "900000000", "--scenario",
         "baseline", "--no-plot", "--quiet", "--out", "{root}/big",
         needles=("900,000,000 paths", "GB", "--paths"),
         tags=(STAGED,))
cli_case("run-to-before-data", "run", *FAST, "--to", "2000", "--out", "{root}/early",
         needles=("--to", "got 2000", "--to 2035"),
         tags=(STAGED,))
cli_case("backtest-imputations-without-pseudo-real-time", "backtest", "--imputations", "5",
         "--paths", "20", "--seed", "1",
         needles=("--imputations 5", "--pseudo-real-time", "Drop --imputations"))
cli_case("backtest-as-of-history-too-short", "backtest", "--as-of", "2016-07", "--paths",
         "20", "--seed", "1",
         needles=("the history (--as-of 2016-07) holds 2012-2016, 5 years", "DampedTrend",
                  "needs 9", "Pass a later --as-of or drop it."))
cli_case("backtest-pseudo-real-time-as-of-before-origins", "backtest", "--pseudo-real-time",
         "--as-of", "2013-03", "--model", "drift", "--horizon", "1", "--paths", "20",
         "--seed", "1", needles=("June of each year from 2013", "2012-08-16", "--as-of 2015"))
cli_case("scheduler-unknown-protocol", "run", *FAST, "--out", "{root}/run", "--scheduler",
         "ucx://nowhere", needles=("--scheduler", "'ucx://nowhere'", "dask scheduler"),
         tags=(STAGED,))
cli_case("scheduler-bad-port", "run", *FAST, "--out", "{root}/run", "--scheduler",
         "tcp://localhost:99999", needles=("--scheduler", "'99999'", "1..65535"),
         tags=(STAGED,))
cli_case("run-paths-200-million", "run", "--model", "drift", "--imputations", "1", "--paths",
         "200000000", "--no-plot", "--quiet", "--out", "{root}/huge",
         needles=("7 scenario(s) x 200,000,000 paths", "GB", "Pass n_paths <="),
         tags=(STAGED,))

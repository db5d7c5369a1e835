# Wall time of R's forecast package fitting and forecasting every series of a benchmark CSV.
#
# Called by benchmarks/bench_fit.py (same run as the library's timings); by hand:
#   OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 Rscript benchmarks/r_timing.R \
#       benchmarks/data/m1_yearly.csv [rounds = 3] [limit]
# For each method the loop "fit + forecast(h = 6, level = c(80, 95))" over all series is
# timed `rounds` times (methods interleaved within a round; data preparation and one
# warm-up call per method excluded).
# Prints CSV on stdout after '#' comment lines (R and forecast versions):
#   method, min_s, median_s, rounds, n_series, n_failed
# A fit that errors is counted in n_failed and its time kept in the loop.
suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) >= 1) args[1] else "benchmarks/data/m1_yearly.csv"
rounds <- if (length(args) >= 2) as.integer(args[2]) else 3L
limit <- if (length(args) >= 3) as.integer(args[3]) else NA_integer_

data <- read.csv(path, stringsAsFactors = FALSE)
series_ids <- unique(data$id)
if (!is.na(limit)) series_ids <- head(series_ids, limit)
series <- lapply(series_ids, function(i) ts(data$value[data$id == i & data$part == "train"]))
h <- 6L
levels <- c(80, 95)

methods <- list(
  "ets" = function(x) forecast(ets(x), h = h, level = levels),
  "thetaf" = function(x) thetaf(x, h = h, level = levels),
  "rwf_drift" = function(x) rwf(x, h = h, drift = TRUE, level = levels),
  "naive" = function(x) naive(x, h = h, level = levels),
  "auto.arima" = function(x) forecast(auto.arima(x), h = h, level = levels),
  "StructTS" = function(x) forecast(StructTS(x, type = "trend"), h = h, level = levels)
)

# warm-up: one call of each method (loads namespaces and byte-compiles), not timed
for (fun in methods) invisible(tryCatch(suppressWarnings(fun(series[[1]])),
                                        error = function(e) NULL))
times <- matrix(NA_real_, length(methods), rounds, dimnames = list(names(methods), NULL))
failed <- setNames(integer(length(methods)), names(methods))
for (r in seq_len(rounds)) {
  for (name in names(methods)) {
    fun <- methods[[name]]
    n_bad <- 0L
    t0 <- proc.time()[["elapsed"]]
    for (x in series) {
      ok <- tryCatch({ suppressWarnings(fun(x)); TRUE }, error = function(e) FALSE)
      if (!ok) n_bad <- n_bad + 1L
    }
    times[name, r] <- proc.time()[["elapsed"]] - t0
    failed[name] <- n_bad
  }
}

cat(sprintf("# %s; forecast %s; BLAS threads OPENBLAS_NUM_THREADS=%s\n", R.version.string,
            packageVersion("forecast"), Sys.getenv("OPENBLAS_NUM_THREADS", "unset")))
out <- data.frame(method = names(methods), min_s = apply(times, 1, min),
                  median_s = apply(times, 1, median), rounds = rounds,
                  n_series = length(series), n_failed = as.integer(failed))
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)

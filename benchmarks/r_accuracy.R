# Interval and point accuracy of R's forecast package on the M1 yearly series, h = 6.
#
# Run from the repository root:
#   OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 Rscript benchmarks/r_accuracy.R \
#       [benchmarks/data/m1_yearly.csv] [benchmarks/results/r_accuracy.csv] [limit]
# Reads   a CSV with columns id, year, value, part (train/test); the test part is the horizon.
# Writes  benchmarks/results/r_accuracy.csv: one row per method with columns
#         method, cov80, cov95, msis_mean, msis_median, smape, mase, seconds, n_scored,
#         n_failed; its first line is a '#' comment giving the R and forecast versions.
#         benchmarks/accuracy.py reads it and shows these rows beside the library's.
#
# Scores, per series then averaged over series (as in benchmarks/accuracy.py):
#   coverage  share of the 6 test values inside the 80% / 95% interval;
#   MSIS      M4's scaled interval score at alpha = 0.05: mean over h of
#             (U - L) + 40 (L - y) 1{y < L} + 40 (y - U) 1{y > U}, divided by the mean
#             absolute first difference of the training part; mean and median over series;
#   sMAPE     mean of 200 |y - f| / (|y| + |f|) for the point forecast f;
#   MASE      mean |y - f| over the same scale.
# seconds is the wall time of fit + forecast(h, level = c(80, 95)) summed over series.
# A method that errors on a series (or returns a non-finite forecast) is scored on the
# other series; n_failed counts them. Models are fitted to the raw values, R's defaults.
suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) >= 1) args[1] else "benchmarks/data/m1_yearly.csv"
out <- if (length(args) >= 2) args[2] else "benchmarks/results/r_accuracy.csv"
limit <- if (length(args) >= 3) as.integer(args[3]) else NA_integer_

data <- read.csv(path, stringsAsFactors = FALSE)
series_ids <- unique(data$id)
if (!is.na(limit)) series_ids <- head(series_ids, limit)
levels <- c(80, 95)

methods <- list(
  "ets()" = function(x, h) forecast(ets(x), h = h, level = levels),
  "auto.arima()" = function(x, h) forecast(auto.arima(x), h = h, level = levels),
  "thetaf()" = function(x, h) thetaf(x, h = h, level = levels),
  "rwf(drift=TRUE)" = function(x, h) rwf(x, h = h, drift = TRUE, level = levels),
  "naive()" = function(x, h) naive(x, h = h, level = levels),
  "StructTS(trend)" = function(x, h) forecast(StructTS(x, type = "trend"),
                                                       h = h, level = levels)
)

score_one <- function(fc, train, test) {
  scale <- mean(abs(diff(train)))
  point <- as.numeric(fc$mean)
  lo80 <- as.numeric(fc$lower[, 1]); hi80 <- as.numeric(fc$upper[, 1])
  lo95 <- as.numeric(fc$lower[, 2]); hi95 <- as.numeric(fc$upper[, 2])
  if (!all(is.finite(c(point, lo80, hi80, lo95, hi95)))) return(NULL)
  penalty <- 40 * (lo95 - test) * (test < lo95) + 40 * (test - hi95) * (test > hi95)
  c(cov80 = mean(test >= lo80 & test <= hi80),
    cov95 = mean(test >= lo95 & test <= hi95),
    msis = mean(hi95 - lo95 + penalty) / scale,
    smape = mean(200 * abs(test - point) / (abs(test) + abs(point))),
    mase = mean(abs(test - point)) / scale)
}

versions <- sprintf("%s; forecast %s", R.version.string, packageVersion("forecast"))
header <- sprintf("# %s; %d series; h = 6; run %s; Rscript benchmarks/r_accuracy.R %s",
                  versions, length(series_ids), format(Sys.time(), "%Y-%m-%d %H:%M %Z"),
                  paste(args, collapse = " "))
cat(header, "\n", sep = "")
rows <- list()
for (name in names(methods)) {
  fun <- methods[[name]]
  seconds <- 0
  scores <- list()
  failed <- character(0)
  for (sid in series_ids) {
    g <- data[data$id == sid, ]
    train <- g$value[g$part == "train"]
    test <- g$value[g$part == "test"]
    t0 <- proc.time()[["elapsed"]]
    fc <- tryCatch(suppressWarnings(fun(ts(train), length(test))),
                   error = function(e) NULL)
    seconds <- seconds + proc.time()[["elapsed"]] - t0
    s <- if (is.null(fc)) NULL else score_one(fc, train, test)
    if (is.null(s)) failed <- c(failed, sid) else scores[[sid]] <- s
  }
  m <- do.call(rbind, scores)
  row <- data.frame(method = name, cov80 = mean(m[, "cov80"]), cov95 = mean(m[, "cov95"]),
                    msis_mean = mean(m[, "msis"]), msis_median = median(m[, "msis"]),
                    smape = mean(m[, "smape"]), mase = mean(m[, "mase"]),
                    seconds = seconds, n_scored = nrow(m), n_failed = length(failed))
  rows[[name]] <- row
  cat(sprintf("%-24s cov80 %.3f cov95 %.3f MSIS mean %6.2f median %6.2f sMAPE %6.2f MASE %5.2f %6.2f s  (%d scored, %d failed%s)\n",
              name, row$cov80, row$cov95, row$msis_mean, row$msis_median, row$smape,
              row$mase, row$seconds, row$n_scored, row$n_failed,
              if (length(failed)) paste0(": ", paste(head(failed, 10), collapse = " ")) else ""))
}
table <- do.call(rbind, rows)
con <- file(out, "w")
writeLines(header, con)
write.csv(table, con, row.names = FALSE)
close(con)
cat("wrote ", out, "\n", sep = "")

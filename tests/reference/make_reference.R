# Reference forecasts from R's forecast package for tests/models/test_models_reference.py.
#
# Run from the repository root:   Rscript tests/reference/make_reference.R
# Reads   tests/reference/series_us_median.csv  (the reconstructed US offshore-execution
#         median, USD bn, frozen as a fixture: a model input, not a published figure;
#         written by make_series_us_median.py, whose docstring records its origin)
# Writes  tests/reference/series_drift.csv, series_llt.csv (synthetic, set.seed below)
#         tests/reference/r_forecast.json
# Every model is fitted to the natural log of the values, as forecast.models does.
suppressPackageStartupMessages({
  library(forecast)
  library(jsonlite)
})
dir <- "tests/reference"
h <- 5L

# two synthetic series from known processes (log scale), 16 years from 2009
set.seed(20251126)
n <- 16L
drift_log <- 3 + cumsum(0.08 + 0.06 * rnorm(n))
slope <- 0.12 + cumsum(0.02 * rnorm(n))
llt_log <- 2 + cumsum(slope + 0.03 * rnorm(n)) + 0.02 * rnorm(n)
years <- 2009:(2009 + n - 1)
write.csv(data.frame(year = years, value = round(exp(drift_log), 6)),
          file.path(dir, "series_drift.csv"), row.names = FALSE, quote = FALSE)
write.csv(data.frame(year = years, value = round(exp(llt_log), 6)),
          file.path(dir, "series_llt.csv"), row.names = FALSE, quote = FALSE)

intervals <- function(fc) {
  list(mean = as.numeric(fc$mean),
       lower_80 = as.numeric(fc$lower[, 1]), upper_80 = as.numeric(fc$upper[, 1]),
       lower_95 = as.numeric(fc$lower[, 2]), upper_95 = as.numeric(fc$upper[, 2]))
}

one <- function(name) {
  d <- read.csv(file.path(dir, paste0("series_", name, ".csv")))
  y <- ts(log(d$value), start = d$year[1])
  out <- list(years = d$year, log_values = as.numeric(y))

  out$rwf_drift <- intervals(rwf(y, h = h, drift = TRUE, level = c(80, 95)))

  e <- ets(y, model = "AAN", damped = TRUE)
  out$ets_damped <- c(intervals(forecast(e, h = h, level = c(80, 95))),
                      list(par = as.list(e$par), sigma2 = e$sigma2, aicc = e$aicc))

  for (ord in list(c(1, 1, 0), c(0, 1, 1), c(1, 1, 1))) {
    key <- sprintf("arima_%d%d%d", ord[1], ord[2], ord[3])
    fit <- tryCatch(Arima(y, order = ord, include.drift = TRUE, method = "ML"),
                    error = function(err) NULL)
    if (!is.null(fit)) {
      out[[key]] <- c(intervals(forecast(fit, h = h, level = c(80, 95))),
                      list(coef = as.list(coef(fit)), sigma2 = fit$sigma2, aicc = fit$aicc))
    }
  }
  a <- auto.arima(y, d = 1, max.p = 2, max.q = 2, stepwise = FALSE,
                  approximation = FALSE, allowdrift = TRUE, ic = "aicc", method = "ML")
  out$auto_arima <- c(intervals(forecast(a, h = h, level = c(80, 95))),
                      list(order = as.numeric(arimaorder(a)), coef = as.list(coef(a))))

  out$thetaf <- intervals(thetaf(y, h = h, level = c(80, 95)))
  out
}

res <- list(
  generated_by = "tests/reference/make_reference.R",
  r_version = R.version.string,
  forecast_version = as.character(packageVersion("forecast")),
  horizon = h,
  series = list(us_median = one("us_median"), drift = one("drift"), llt = one("llt"))
)
write_json(res, file.path(dir, "r_forecast.json"), auto_unbox = TRUE, digits = 12,
           pretty = TRUE)
cat("wrote", file.path(dir, "r_forecast.json"), "\n")

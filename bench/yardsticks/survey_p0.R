# Yardstick for bench/bench_vs_svy.py: P0 with its SE by district with R `survey`, the whole job in one process.
#
#     Rscript bench/yardsticks/survey_p0.R CLASSIFIED.csv OUT.csv
#
# Reads the columns it needs from the CSV `peka classify` wrote (data.table::fread when installed, else
# read.csv), then svydesign(ids = ~psu, strata = ~strata, weights = weight x hh_size, nest = TRUE) and
# svyby(~poor, ~kab_code, design, svymean); writes kab_code, est, se.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
columns <- c("kab_code", "strata", "psu", "weight", "hh_size", "poor")
classes <- c(kab_code = "character", strata = "character", psu = "character")
if (requireNamespace("data.table", quietly = TRUE)) {
  data <- as.data.frame(data.table::fread(args[1], select = columns, colClasses = classes, showProgress = FALSE))
} else {
  data <- read.csv(args[1], colClasses = classes)[columns]
}
data$poor <- as.numeric(as.logical(data$poor))
data$pw <- data$weight * data$hh_size
design <- svydesign(ids = ~psu, strata = ~strata, weights = ~pw, nest = TRUE, data = data)
result <- svyby(~poor, ~kab_code, design, svymean)
write.csv(data.frame(kab_code = result$kab_code, est = result$poor, se = SE(result)), args[2], row.names = FALSE)

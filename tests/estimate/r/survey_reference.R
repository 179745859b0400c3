# Reference estimates from R `survey` for peka's estimation tests.
#
# Reads survey_small.csv (written by make_data.py) and writes survey_reference.csv with one row per
# (case, design, measure, indicator, domain): estimate and SE at 15 significant digits. peka's tests compare
# their own estimates with these frozen numbers; test_r_parity.py re-runs this script when Rscript exists.
#
#   Rscript tests/estimate/r/survey_reference.R [input.csv] [output.csv]
#
# Conventions mirrored from peka's docs/estimation.md: person-weighted measures are ratios of household-weighted
# totals (numerator × household size over household size); households outside a measure's population are handled
# by R's own domain estimation (subset() of the design), never dropped before variance computation.

suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
here <- tryCatch(dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE)))),
                 error = function(e) ".")
input <- if (length(args) >= 1) args[1] else file.path(here, "survey_small.csv")
output <- if (length(args) >= 2) args[2] else file.path(here, "survey_reference.csv")

d <- read.csv(input, colClasses = c(psu = "character", stratum = "character"))
lg <- function(x) as.logical(ifelse(is.na(x) | x == "", NA, as.character(x)))
for (col in c("mpi_poor", "miskin_14k", "cause_x", "cause_y")) d[[col]] <- lg(d[[col]])
d$one <- 1
d$size <- d$hh_size
d$poor <- d$exp_pc < d$poverty_line
d$gap <- ifelse(d$poor, (d$poverty_line - d$exp_pc) / d$poverty_line, 0)
d$fgt0 <- d$size * d$poor
d$fgt1 <- d$size * d$gap
d$fgt2 <- d$size * d$gap^2
d$ext <- d$size * (d$exp_pc < d$extreme_line)
d$det <- !is.na(d$mpi_score)
d$mpoor <- d$det & !is.na(d$mpi_poor) & d$mpi_poor
d$cscore <- ifelse(d$mpoor, d$mpi_score, 0) * d$size
d$mpersons <- d$size * d$mpoor
mpi_w <- c(a = 0.25, b = 0.25, c = 0.2, d = 0.3)
for (j in names(mpi_w)) {
  g <- d[[paste0("mpi_d_", j)]]
  d[[paste0("cens_", j)]] <- d$size * d$mpoor * ifelse(is.na(g), 0, g)
  d[[paste0("wcens_", j)]] <- mpi_w[[j]] * d[[paste0("cens_", j)]]
  d[[paste0("unc_", j)]] <- d$size * g
}
d$dim_edu <- d$wcens_a + d$wcens_b
d$dim_hidup <- d$wcens_c + d$wcens_d
poor_status <- c("miskin_ganda", "miskin_moneter", "miskin_multidimensi")
d$poorhh <- d$poverty_status %in% poor_status
d$nonpoorhh <- !(d$poverty_status %in% c(poor_status, "tidak_diketahui"))
for (cz in c("cause_x", "cause_y")) {
  v <- d[[cz]]
  known <- !is.na(v)
  has <- known & v
  d[[paste0(cz, "_pa")]] <- as.numeric(d$poorhh & has)
  d[[paste0(cz, "_pb")]] <- as.numeric(d$poorhh & known)
  d[[paste0(cz, "_na")]] <- as.numeric(d$nonpoorhh & has)
  d[[paste0(cz, "_nb")]] <- as.numeric(d$nonpoorhh & known)
}
d$bps <- as.numeric(d$miskin_14k)
d$psu_u <- paste(d$stratum, d$psu, sep = "-")
for (k in c("d1", "d2", "d3")) {
  d[[paste0("in_", k)]] <- d$size * (d$district == k)
  d[[paste0("cs_", k)]] <- d$cscore * (d$district == k)
  d[[paste0("mp_", k)]] <- d$size * d$det * (d$district == k)
}
d$mpop <- d$size * d$det

out <- list()
add <- function(case, design, measure, indicator, domain, est, se) {
  out[[length(out) + 1]] <<- data.frame(case = case, design = design, measure = measure,
                                        indicator = indicator, domain = domain,
                                        estimate = sprintf("%.15g", est), se = sprintf("%.15g", se))
}
ratio <- function(des, num, den) {
  r <- svyratio(num, den, des)
  c(coef(r)[1], SE(r)[1])
}
stat <- function(x) c(coef(x)[1], SE(x)[1])

whole <- function(des, label, full = TRUE) {
  add("whole", label, "households", "", "", coef(svytotal(~one, des)), SE(svytotal(~one, des)))
  add("whole", label, "persons", "", "", coef(svytotal(~size, des)), SE(svytotal(~size, des)))
  r <- ratio(des, ~fgt0, ~size); add("whole", label, "P0", "", "", r[1], r[2])
  r <- ratio(des, ~fgt1, ~size); add("whole", label, "P1", "", "", r[1], r[2])
  r <- ratio(des, ~fgt2, ~size); add("whole", label, "P2", "", "", r[1], r[2])
  r <- ratio(des, ~ext, ~size); add("whole", label, "extreme", "", "", r[1], r[2])
  det <- subset(des, det)
  r <- ratio(det, ~mpersons, ~size); add("whole", label, "H", "", "", r[1], r[2])
  r <- ratio(det, ~cscore, ~size); add("whole", label, "M0", "", "", r[1], r[2])
  r <- ratio(subset(des, mpoor), ~cscore, ~size); add("whole", label, "A", "", "", r[1], r[2])
  for (j in names(mpi_w)) {
    r <- ratio(det, as.formula(paste0("~cens_", j)), ~size)
    add("whole", label, "h_censored", j, "", r[1], r[2])
    r <- ratio(subset(des, !is.na(get(paste0("mpi_d_", j)))), as.formula(paste0("~unc_", j)), ~size)
    add("whole", label, "h_uncensored", j, "", r[1], r[2])
    r <- ratio(det, as.formula(paste0("~wcens_", j)), ~cscore)
    add("whole", label, "contribution", j, "", r[1], r[2])
  }
  r <- ratio(det, ~dim_edu, ~cscore); add("whole", label, "contribution", "dim:edu", "", r[1], r[2])
  r <- ratio(det, ~dim_hidup, ~cscore); add("whole", label, "contribution", "dim:hidup", "", r[1], r[2])
  r <- stat(svymean(~bps, subset(des, !is.na(bps)))); add("whole", label, "bps14_poor", "", "", r[1], r[2])
  r <- stat(svymean(~as.numeric(cause_x), subset(des, poorhh))); add("whole", label, "cause_share", "x", "", r[1], r[2])
  r <- stat(svymean(~as.numeric(cause_y), subset(des, poorhh & !is.na(cause_y))))
  add("whole", label, "cause_share", "y", "", r[1], r[2])
  for (cz in c("x", "y")) {
    f <- as.formula(sprintf("~cause_%s_pa + cause_%s_pb + cause_%s_na + cause_%s_nb", cz, cz, cz, cz))
    tot <- svytotal(f, des)
    names_ <- sprintf(c("cause_%s_pa", "cause_%s_pb", "cause_%s_na", "cause_%s_nb"), cz)
    expr <- parse(text = sprintf("(%s/%s)/(%s/%s)", names_[1], names_[2], names_[3], names_[4]))[[1]]
    con <- svycontrast(tot, expr)
    add("whole", label, "cause_ratio", cz, "", coef(con)[1], SE(con)[1])
  }
}

domains <- function(des, label, column = "district") {
  f <- as.formula(paste0("~", column))
  emit <- function(res, measure, indicator = "") {
    est <- coef(res); se <- SE(res)
    for (i in seq_along(est)) add("domain", label, measure, indicator, paste0(column, "=", res[[column]][i]), est[i], se[i])
  }
  emit(svyby(~one, f, des, svytotal), "households")
  emit(svyby(~size, f, des, svytotal), "persons")
  emit(svyby(~fgt0, f, des, svyratio, denominator = ~size), "P0")
  emit(svyby(~fgt1, f, des, svyratio, denominator = ~size), "P1")
  emit(svyby(~cscore, f, subset(des, det), svyratio, denominator = ~size), "M0")
  emit(svyby(~cscore, f, subset(des, mpoor), svyratio, denominator = ~size), "A")
  emit(svyby(~cens_a, f, subset(des, det), svyratio, denominator = ~size), "h_censored", "a")
  emit(svyby(~wcens_d, f, subset(des, det), svyratio, denominator = ~cscore), "contribution", "d")
  emit(svyby(~bps, f, subset(des, !is.na(bps)), svymean), "bps14_poor")
  if (column == "district") {
    for (k in c("d1", "d2", "d3")) {
      r <- ratio(des, as.formula(paste0("~in_", k)), ~size)
      add("domain", label, "pop_share", "", paste0("district=", k), r[1], r[2])
      r <- ratio(des, as.formula(paste0("~mp_", k)), ~mpop)
      add("domain", label, "pop_share", "mpi", paste0("district=", k), r[1], r[2])
      r <- ratio(des, as.formula(paste0("~cs_", k)), ~cscore)
      add("domain", label, "contribution", "domain", paste0("district=", k), r[1], r[2])
    }
  }
}

options(survey.lonely.psu = "fail")
cluster <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
whole(cluster, "cluster")
domains(cluster, "cluster")
domains(cluster, "cluster", "poverty_status")
add("df", "cluster", "df", "", "", degf(cluster), 0)
# difference of two ratios (P0 minus the extreme-poverty rate), by svycontrast on totals
con <- svycontrast(svytotal(~fgt0 + ext + size, cluster), quote(fgt0 / size - ext / size))
add("contrast", "cluster", "P0_minus_extreme", "", "", coef(con)[1], SE(con)[1])

srs <- svydesign(ids = ~1, weights = ~weight, data = d)
whole(srs, "srs")
domains(srs, "srs")
add("df", "srs", "df", "", "", degf(srs), 0)

strata_only <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight, data = d)
whole(strata_only, "strata_only")
domains(strata_only, "strata_only")

psu_only <- svydesign(ids = ~psu_u, weights = ~weight, data = d)
whole(psu_only, "psu_only")
domains(psu_only, "psu_only")

# a stratum with one PSU: keep only PSU "1" of stratum S6
dl <- d[!(d$stratum == "S6" & d$psu != "1"), ]
for (opt in c("adjust", "certainty")) {
  options(survey.lonely.psu = opt)
  lonely <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = dl)
  whole(lonely, paste0("lonely_", opt))
  domains(lonely, paste0("lonely_", opt))
}

write.csv(do.call(rbind, out), output, row.names = FALSE)

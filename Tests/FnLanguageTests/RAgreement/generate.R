# Regenerates the R-agreement fixture: GNU R is the oracle for fn's semantics.
#
#   Rscript generate.R [cases.txt [fixture.jsonl]]
#
# Reads the cases file (format described at its top), evaluates every case in a fresh environment
# and writes one JSON object per line:
#   {"name": ..., "code": ..., "value": <toJSON of the result>}   when R returns a value
#   {"name": ..., "code": ..., "error": "<conditionMessage>"}      when R signals an error
# plus "compareMessage": true when the case carries a `#! message` line, "stdout" when the case
# printed something, and "warnings" when it raised warnings. The output depends only on the cases
# file and R/jsonlite, so re-running it must reproduce the committed fixture byte for byte.

suppressPackageStartupMessages(library(jsonlite))

# The fixture must not depend on the machine's locale: compare and sort strings by code point
# (as fn does; R otherwise collates by the locale's rules, where "B" < "a" is FALSE), and read
# strings as UTF-8 even where the environment sets no locale.
invisible(Sys.setlocale("LC_COLLATE", "C"))
if (!isTRUE(l10n_info()[["UTF-8"]])) invisible(Sys.setlocale("LC_CTYPE", "C.UTF-8"))

main <- function(args) {
  here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))
  cases_path <- if (length(args) >= 1) args[[1]] else file.path(here, "cases.txt")
  out_path <- if (length(args) >= 2) args[[2]] else file.path(here, "fixture.jsonl")
  cases <- read_cases(cases_path)
  lines <- vapply(cases, function(case) fixture_line(case), character(1))
  writeLines(lines, out_path, useBytes = TRUE)
  message(sprintf("wrote %d cases to %s", length(lines), out_path))
}

# Splits the file into cases: `=== area` starts a section, a line `---` ends a case. A case whose
# first line is `# words` is named `area: words`; a case of up to three lines may go unnamed and is
# named by its code, lines joined with "; ".
read_cases <- function(path) {
  lines <- readLines(path, encoding = "UTF-8", warn = FALSE)
  cases <- list()
  area <- NULL
  current <- character()
  flush <- function() {
    body <- current
    while (length(body) > 0 && trimws(body[1]) == "") body <- body[-1]
    while (length(body) > 0 && trimws(body[length(body)]) == "") body <- body[-length(body)]
    current <<- character()
    if (length(body) == 0) return(invisible())
    if (is.null(area)) stop("case before the first `=== area` line: ", body[1])
    compare <- any(body == "#! message")
    body <- body[body != "#! message"]
    if (grepl("^# ", body[1])) {
      name <- sub("^# ", "", body[1])
      body <- body[-1]
    } else if (length(body) <= 3) {
      name <- paste(body, collapse = "; ")
    } else {
      stop("case of more than three lines without a `# name` line: ", body[1])
    }
    cases[[length(cases) + 1]] <<- list(
      name = paste0(area, ": ", name), code = paste(body, collapse = "\n"), compare = compare)
  }
  for (line in lines) {
    if (grepl("^=== ", line)) {
      flush()
      area <- sub("^=== ", "", line)
    } else if (line == "---") {
      flush()
    } else if (!is.null(area)) {
      current <- c(current, line)
    }
  }
  flush()
  names <- vapply(cases, `[[`, character(1), "name")
  if (anyDuplicated(names)) stop("duplicate case names: ", paste(unique(names[duplicated(names)]), collapse = ", "))
  cases
}

# Evaluates one case like a fresh fn interpreter would: a new environment, all expressions in
# order, the value of the last one. Global state a case creates (via `<<-`) is removed afterwards.
run_case <- function(code) {
  env <- new.env(parent = globalenv())
  warnings <- character()
  result <- NULL
  output <- tryCatch({
    exprs <- parse(text = code, keep.source = FALSE)
    out <- withCallingHandlers(
      capture.output(result <- list(value = eval(exprs, env))),
      warning = function(w) {
        warnings <<- c(warnings, conditionMessage(w))
        invokeRestart("muffleWarning")
      })
    out
  }, error = function(e) {
    result <<- list(error = conditionMessage(e))
    character()
  })
  created <- setdiff(ls(globalenv(), all.names = TRUE), generator_names)
  rm(list = created, envir = globalenv())
  list(result = result, stdout = output, warnings = warnings)
}

fixture_line <- function(case) {
  run <- run_case(case$code)
  parts <- c(
    paste0('"name":', toJSON(case$name, auto_unbox = TRUE)),
    paste0('"code":', toJSON(case$code, auto_unbox = TRUE)))
  if (case$compare) parts <- c(parts, '"compareMessage":true')
  if (!is.null(run$result$error)) {
    parts <- c(parts, paste0('"error":', toJSON(run$result$error, auto_unbox = TRUE)))
  } else {
    value <- run$result$value
    if (is.function(value) || is.environment(value)) {
      stop("case '", case$name, "' returns a ", typeof(value), ", which has no JSON form; return something else")
    }
    json <- toJSON(value, auto_unbox = TRUE, digits = NA, null = "null", na = "null")
    parts <- c(parts, paste0('"value":', json))
  }
  if (length(run$stdout) > 0) {
    parts <- c(parts, paste0('"stdout":', toJSON(paste0(paste(run$stdout, collapse = "\n"), "\n"), auto_unbox = TRUE)))
  }
  if (length(run$warnings) > 0) {
    parts <- c(parts, paste0('"warnings":', toJSON(run$warnings)))
  }
  paste0("{", paste(parts, collapse = ","), "}")
}

generator_names <- c(ls(globalenv(), all.names = TRUE), "generator_names")
main(commandArgs(trailingOnly = TRUE))

# Runs the handlers of cases.txt on their events in GNU R, the way the seed runtime does:
# source the handler file, `do.call(f, fromJSON(body))`, `toJSON(result, auto_unbox = TRUE,
# digits = NA)`, and writes each answer to expected/NAME.json. EventMappingTests compares fn's
# answers with these and checks that they are current (it reruns this script).
#
#   Rscript generate.R [OUTPUT_DIRECTORY]      (default: expected/ beside this script)

suppressPackageStartupMessages(library(jsonlite))
invisible(Sys.setlocale("LC_COLLATE", "C"))

args <- commandArgs(trailingOnly = TRUE)
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))
handlers <- file.path(here, "..", "..", "..", "handlers")
out <- if (length(args) >= 1) args[[1]] else file.path(here, "expected")
dir.create(out, showWarnings = FALSE)

# fn's logging builtins, which handlers may call; R has none of them.
fn_builtins <- new.env()
for (name in c("log_debug", "log_info", "log_warn", "log_error", "log_fatal")) {
  assign(name, function(...) invisible(NULL), envir = fn_builtins)
}

lines <- readLines(file.path(here, "cases.txt"))
lines <- lines[!grepl("^#", lines) & nzchar(trimws(lines))]
for (line in lines) {
  parts <- strsplit(line, " ", fixed = TRUE)[[1]]
  name <- parts[1]
  dot <- regexpr(".", parts[2], fixed = TRUE)
  file <- substr(parts[2], 1, dot - 1)
  fun <- substr(parts[2], dot + 1, nchar(parts[2]))
  env <- new.env(parent = fn_builtins)
  sys.source(file.path(handlers, paste0(file, ".fn")), envir = env)
  body <- paste(readLines(file.path(here, parts[3]), warn = FALSE), collapse = "\n")
  event <- if (nzchar(trimws(body))) fromJSON(body) else list()
  args <- if (is.list(event) && !is.data.frame(event) && !is.null(names(event))) event else list(event)
  result <- do.call(get(fun, envir = env), args)
  writeLines(toJSON(result, auto_unbox = TRUE, digits = NA), file.path(out, paste0(name, ".json")), useBytes = TRUE)
}
message(sprintf("wrote %d answers to %s", length(lines), out))

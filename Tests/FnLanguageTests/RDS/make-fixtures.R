# Regenerates the .rds fixtures and expected.json (Rscript make-fixtures.R, in this directory).
# Every object is saved in several forms (format version 2 and 3, gzip and uncompressed, ASCII);
# expected.json maps each expression (readRDS of each file, read.csv, ...) to describe(value) as R computes it, and RDSTests checks
# that fn's readRDS gives the same description.
library(jsonlite)
invisible(Sys.setlocale("LC_COLLATE", "C"))  # fn sorts strings by code point
source("describe.fn")
cars <- mtcars[1:20, c("mpg", "wt", "hp", "cyl", "am")]
objects <- list(
  vectors = list(lgl = c(TRUE, FALSE, NA), int = c(1L, NA, -7L), dbl = c(1.5, NA, NaN, Inf, -Inf, 1e-300),
                 chr = c("a", NA, "\u00e9t\u00e9", ""), seq = 1:10, realseq = 1.5:4, empty = integer(0),
                 named = c(x = 1, y = 2), scalar = 42),
  nested = list(a = list(b = list(c = "deep")), n = NULL, f = structure(1:3, myattr = "kept")),
  factors = list(f = factor(c("lo", "hi", NA, "lo"), levels = c("lo", "hi")),
                 o = factor(c("b", "a"), ordered = TRUE)),
  frame = data.frame(x = 1:3, y = c("a", "b", NA), z = c(0.5, NA, 2), stringsAsFactors = FALSE),
  framenames = data.frame(v = c(10, 20), g = factor(c("u", "v")), row.names = c("r1", "r2")),
  matrix = matrix(c(1.5, 2, 3, 4, 5, 6), nrow = 2, dimnames = list(c("a", "b"), c("p", "q", "r"))),
  formula = y ~ x + log(z),
  lm = lm(mpg ~ wt + factor(cyl), data = cars),
  glm = glm(vs ~ mpg, family = binomial, data = mtcars)
)
forms <- list(v3 = list(version = 3, compress = TRUE), v2 = list(version = 2, compress = TRUE),
              v3raw = list(version = 3, compress = FALSE), v2ascii = list(version = 2, compress = FALSE, ascii = TRUE),
              v3asciigz = list(version = 3, compress = TRUE, ascii = TRUE))
expected <- list()
for (name in names(objects)) {
  for (form in names(forms)) {
    file <- paste0(name, "-", form, ".rds")
    f <- forms[[form]]
    saveRDS(objects[[name]], file, version = f$version, compress = f$compress, ascii = isTRUE(f$ascii))
    expected[[paste0('readRDS("', file, '")')]] <- describe(readRDS(file))
  }
}
# Text files: read.csv, read.delim, read.table, readLines, fromJSON of a path.
writeLines(c("id,name,score,ok,when", "1,\"Smith, J\",3.5,TRUE,", "2,O'Brien,NA,FALSE,x",
             "3,\"say \"\"hi\"\"\",-1e3,NA,y", "4,,7,T,"), "table.csv")
writeLines(c("a\tb\tc", "1\tx y\t2.5", "2\t\t", "3\tz\t-4"), "table.tsv")
writeLines(c("# a comment", "   x  y 'two words'", "1 2 a", "3   4 'b c' # trailing"), "table.txt")
writeBin(charToRaw("x,y,z\r\n\"1\", 2,a \r\n3,4.5e1,\r\n-0,Inf,\"q\"\"\"\r\n"), "crlf.csv")
writeLines(c("a b", "r1 1 2", "r2 3 4"), "rownames.txt")
writeLines(c("p,q"), "headeronly.csv")
writeLines(c("{\"a\": [1, 2, 3], \"b\": {\"c\": \"d\"}}"), "data.json")
texts <- c(
  'read.csv("table.csv")',
  'read.csv("table.csv", stringsAsFactors = TRUE)',
  'read.csv("table.csv", colClasses = c("character", "character", "numeric", "logical", "character"))',
  'read.csv("table.csv", na.strings = c("NA", ""))',
  'read.delim("table.tsv")',
  'read.table("table.txt", header = TRUE)',
  'read.table("table.txt", skip = 2)',
  'read.csv("crlf.csv")',
  'read.table("rownames.txt", header = TRUE)',
  'read.csv("headeronly.csv")',
  'read.csv("crlf.csv", header = FALSE, strip.white = TRUE)',
  'read.csv("table.csv", nrows = 2, check.names = FALSE, col.names = c("a b", "1x", "a b", "_", ""))',
  'readLines("table.csv")',
  'readLines("table.tsv", n = 2)',
  'fromJSON("data.json")')
for (text in texts) expected[[text]] <- describe(eval(parse(text = text)))
# What predict() needs from the models, as plain values.
fields <- function(m) list(coefficients = as.list(coef(m)), xlevels = m$xlevels, rank = m$qr$rank,
                           family = if (!is.null(m$family)) list(m$family$family, m$family$link) else NULL)
writeLines(toJSON(list(cases = expected, lm = fields(objects$lm), glm = fields(objects$glm)),
                  auto_unbox = TRUE, digits = NA, null = "null"), "expected.json")

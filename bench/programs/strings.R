# strings 5k: build a character vector with paste0 and c() in a loop, then collapse it
build <- function(n) {
  parts <- c()
  for (i in 1:n) parts <- c(parts, paste0("item-", i, ";"))
  paste0(parts, collapse = "")
}
t0 <- as.numeric(Sys.time())
s <- build(5000)
t1 <- as.numeric(Sys.time())
cat(nchar(s), "\n", sep = "")
cat("ms ", (t1 - t0) * 1000, "\n", sep = "")

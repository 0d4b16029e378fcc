# loop 300k: a 300,000-iteration scalar loop with %% and if
run <- function(n) {
  s <- 0
  for (i in 1:n) {
    if (i %% 3 == 0) s <- s + i else s <- s - 1
  }
  s
}
t0 <- as.numeric(Sys.time())
r <- run(300000)
t1 <- as.numeric(Sys.time())
cat(sprintf("%.0f", r), "\n", sep = "")
cat("ms ", (t1 - t0) * 1000, "\n", sep = "")

# vector 1e6: element-wise arithmetic, %% and sum over 1e6-element vectors
x <- 1:1000000
t0 <- as.numeric(Sys.time())
y <- x * 3 + 1
z <- y %% 7
r <- sum(z * z) + sum(y > 1500000)
t1 <- as.numeric(Sys.time())
cat(sprintf("%.0f", r), "\n", sep = "")
cat("ms ", (t1 - t0) * 1000, "\n", sep = "")

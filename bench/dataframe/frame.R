# data frame 100k: fromJSON of records, data.frame(), filter, subset, order, aggregate, merge, toJSON
suppressMessages(library(jsonlite))
n <- 100000
i <- 1:n
ids <- i
gs <- paste0("g", i %% 1000)
xs <- ((i * 7919) %% 100000) / 100
ys <- (i * 31) %% 997
text <- paste0("[", paste0('{"id":', ids, ',"g":"', gs, '","x":', xs, ',"y":', ys, "}", collapse = ","), "]")
now <- function() as.numeric(Sys.time()) * 1000
t0 <- now()
records <- fromJSON(text)
t1 <- now()
df <- data.frame(id = ids, g = gs, x = xs, y = ys)
t2 <- now()
a <- df[df$x > 500, ]
t3 <- now()
b <- subset(df, x > 500 & y < 500)
t4 <- now()
o <- df[order(df$g, -df$x), ]
t5 <- now()
m <- aggregate(y ~ g, df, mean)
t6 <- now()
lookup <- data.frame(g = paste0("g", 0:999), w = (0:999) %% 7)
j <- merge(a, lookup, by = "g")
t7 <- now()
out <- toJSON(j, digits = NA)
t8 <- now()
cat(nrow(a), nrow(b), o$id[1], o$id[n], round(sum(m$y), 4), nrow(j), sum(j$w), "\n")
steps <- c("fromJSON", "data.frame", "filter", "subset", "order", "aggregate", "merge", "toJSON")
ms <- diff(c(t0, t1, t2, t3, t4, t5, t6, t7, t8))
for (k in seq_along(steps)) cat("ms ", steps[k], " ", ms[k], "\n", sep = "")

# The parity handler in R, the same function as handlers/functions.fn.
parity <- function(number) {
  list(parity = if (as.integer(number) %% 2 == 0) "even" else "odd")
}

size <- function(...) list(n = length(list(...)))

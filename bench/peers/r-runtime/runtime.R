# An R Lambda runtime in the design of the blog post that inspired fn: httr talks to the Runtime
# API, jsonlite converts events and results, logger logs; the handler file is sourced once and the
# function is called with do.call on the event's fields. Started by bootstrap (exec Rscript).
library(httr)
library(jsonlite)
library(logger)

log_threshold(Sys.getenv("LOG_LEVEL", "INFO"))

api <- Sys.getenv("AWS_LAMBDA_RUNTIME_API")
base <- paste0("http://", api, "/2018-06-01/runtime")
task_root <- Sys.getenv("LAMBDA_TASK_ROOT", getwd())

handler <- Sys.getenv("_HANDLER")
parts <- strsplit(handler, ".", fixed = TRUE)[[1]]
handler_file <- file.path(task_root, paste0(parts[1], ".R"))
function_name <- parts[2]

post_error <- function(endpoint, error) {
  body <- toJSON(list(errorMessage = conditionMessage(error), errorType = "RError"), auto_unbox = TRUE)
  POST(url = endpoint, body = body, encode = "raw", content_type_json())
}

tryCatch({
  source(handler_file)
  if (!exists(function_name, mode = "function")) stop("no function '", function_name, "' in ", handler_file)
}, error = function(e) {
  log_error(conditionMessage(e))
  post_error(paste0(base, "/init/error"), e)
  quit(status = 1)
})

log_info("runtime ready: {handler}")

repeat {
  event <- GET(url = paste0(base, "/invocation/next"))
  request_id <- headers(event)[["lambda-runtime-aws-request-id"]]
  log_debug("invocation {request_id}")
  tryCatch({
    text <- content(event, as = "text", encoding = "UTF-8")
    args <- if (identical(text, "") || is.na(text)) list() else fromJSON(text)
    if (!is.list(args)) args <- list(args)
    result <- do.call(function_name, args)
    POST(url = paste0(base, "/invocation/", request_id, "/response"),
         body = toJSON(result, auto_unbox = TRUE, null = "null", na = "null", digits = NA),
         encode = "raw", content_type_json())
  }, error = function(e) {
    log_error(conditionMessage(e))
    post_error(paste0(base, "/invocation/", request_id, "/error"), e)
  })
}

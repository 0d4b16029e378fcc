# start-up: an empty program (process start, runtime init, exit)
pass

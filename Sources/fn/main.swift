print("fn")

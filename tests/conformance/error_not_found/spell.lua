-- An uncaught NotFoundError: exit code 1
print("before the error")

Tool.execute("no-such-tool", {})
print("never printed")

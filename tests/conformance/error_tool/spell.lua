-- A script raises an error of a given kind: error("ToolError: ...")
print("before the error")
error("ToolError: the disk is full")
print("never printed")

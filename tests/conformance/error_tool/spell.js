// A script raises an error of a given kind: throw new Error("ToolError: ...")
console.log("before the error");
throw new Error("ToolError: the disk is full");
console.log("never printed");

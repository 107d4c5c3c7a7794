// a host value (a 40 MB file's text) as large as the engine's memory limit
const r = await Tool.execute("file-operations", { operation: "read", path: "data40.txt" });
print("read " + r.success + " " + (r.text || "").length);

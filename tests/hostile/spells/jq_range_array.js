// json-processor: CPU or memory burnt inside one tool call
const r = await Tool.execute("json-processor", { operation: "query", input: "null", query: "[range(1e8)] | length" });
print("tool-result success=" + r.success + " " + r.error);

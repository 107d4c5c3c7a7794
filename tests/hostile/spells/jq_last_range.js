// json-processor: CPU or memory burnt inside one tool call
const r = await Tool.execute("json-processor", { operation: "query", input: "null", query: "last(range(1e15))" });
print("tool-result success=" + r.success + " " + r.error);

// file-search: CPU or memory burnt inside one tool call
const r = await Tool.execute("file-search", { pattern: "a*a*a*a*a*a*a*a*c", path: "line200k.txt", use_regex: true });
print("tool-result success=" + r.success + " " + r.error);

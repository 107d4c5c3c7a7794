// a 30 MB string referenced 200 times, handed to the host as a tool input
const s = "x".repeat(30 * 2 ** 20);
const t = [];
for (let i = 0; i < 200; i++) t.push(s);
const r = await Tool.execute("json-processor", { operation: "query", input: t, query: "length" });
print("SURVIVED", r.text);

// calculator: CPU or memory burnt inside one tool call
const r = await Tool.execute("calculator", { input: "pow(7, 300000000)" });
print("tool-result success=" + r.success + " " + r.error);

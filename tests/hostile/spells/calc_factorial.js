// calculator: CPU or memory burnt inside one tool call
const r = await Tool.execute("calculator", { input: "factorial(1000000) % 7" });
print("tool-result success=" + r.success + " " + r.error);

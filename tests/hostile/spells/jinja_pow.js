// template-creator: CPU or memory burnt inside one tool call
const r = await Tool.execute("template-creator", { input: "{{ (7 ** 30000000) % 10 }}" });
print("tool-result success=" + r.success + " " + r.error);

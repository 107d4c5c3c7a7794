// template-creator: CPU or memory burnt inside one tool call
const r = await Tool.execute("template-creator", { input: "{{ ('x' * 3000000000) | length }}" });
print("tool-result success=" + r.success + " " + r.error);

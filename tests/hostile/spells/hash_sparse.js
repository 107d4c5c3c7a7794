// hash-calculator: CPU or memory burnt inside one tool call
const r = await Tool.execute("hash-calculator", { operation: "hash", input_type: "file", file: "sparse100g.bin", algorithm: "sha256" });
print("tool-result success=" + r.success + " " + r.error);

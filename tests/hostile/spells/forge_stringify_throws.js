// JSON.stringify that throws inside the bridge
JSON.stringify = function () { throw new TypeError("no stringify for you"); };
const r = await Tool.execute("calculator", { input: "1 + 1" });
print("SURVIVED " + r.text);

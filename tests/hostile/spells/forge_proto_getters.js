// getters on Object.prototype for every name the bridge might read
for (const name of ["\u0000fn", "\u0000h", "\u0000num", "type", "fields", "events", "main",
                    "op", "id", "args", "kind", "payload"]) {
  Object.defineProperty(Object.prototype, name, {
    get() { return ["req", -7, "evil", "[]"]; }, configurable: true,
  });
}
const r = await Tool.execute("calculator", { input: "1 + 1" });
print("SURVIVED " + r.text);

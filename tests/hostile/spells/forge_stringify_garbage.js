// the host parses what JSON.stringify returns: make it garbage
JSON.stringify = function () { return "not json {"; };
const r = await Tool.execute("calculator", { input: "1 + 1" });
print("SURVIVED " + r.text);

// JSON.stringify that returns something other than a string
JSON.stringify = function () { return { events: 1, main: 2 }; };
const r = await Tool.execute("calculator", { input: "1 + 1" });
print("SURVIVED " + r.text);

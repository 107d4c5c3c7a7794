// a well-formed batch of wrong shapes: bad ids, unknown ops, wrong types, short entries
JSON.stringify = function () {
  return '{"events": [["req", "x", 5, 7], ["req", 1e300, "tool.execute", "{"], ["ret", 424242, true],'
    + ' ["out", 3, 4], ["out"], [], 5, null, {"a": 1}, ["zzz", 1]], "main": ["error", 1, [], {}]}';
};
const r = await Tool.execute("calculator", { input: "1 + 1" });
print("SURVIVED " + r.text);

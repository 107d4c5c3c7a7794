// Array.prototype.push adds forged requests and answers to every queue it touches
const realPush = Array.prototype.push;
Array.prototype.push = function (...items) {
  realPush.call(this, ["req", -1, "no.such.op", "{bad json"], ["ret", 424242, true, "[]"],
    ["req", 999999, "tool.execute", "[\"calculator\", 5]"]);
  return realPush.apply(this, items);
};
const r = await Tool.execute("calculator", { input: "1 + 1" });
print("SURVIVED " + r.text);

// The built-in calculator: good expressions, variables, bad expressions, misuse
function show(label, r) {
  if (r.success) {
    let value = r.result.result;
    if (r.result.result_type === "float") value = value.toFixed(4);
    console.log(label + ": ok " + String(value) + " (" + r.result.result_type + ") text=" + r.text);
  } else {
    console.log(label + ": failed " + r.error_kind + ": " + r.error);
  }
}
console.log("exists: " + (await Tool.exists("calculator")));
console.log("category: " + (await Tool.get("calculator")).category);
show("sum", await Tool.execute("calculator", {input: "1 + 2"}));
show("precedence", await Tool.execute("calculator", {input: "2 + 3 * 4 - 10 // 3"}));
show("power", await Tool.execute("calculator", {input: "2 ** 10"}));
show("float", await Tool.execute("calculator", {input: "7 / 2"}));
show("functions", await Tool.execute("calculator", {input: "sqrt(16) + abs(-3) + max(1, 5)"}));
show("constant", await Tool.execute("calculator", {input: "round(pi * 100)"}));
show("variables", await Tool.execute("calculator", {input: "x * y + z", variables: {x: 4, y: 2.5, z: 1}}));
show("integer variables", await Tool.execute("calculator", {input: "a * b", variables: {a: 6, b: 7}}));
show("divide by zero", await Tool.execute("calculator", {input: "1/0"}));
show("not a number", await Tool.execute("calculator", {input: "'a' * 3"}));
const bad = await Tool.execute("calculator", {input: "2 +"});
console.log("syntax error: " + bad.success + " " + bad.error.startsWith("cannot evaluate '2 +'"));
const unknown = await Tool.execute("calculator", {input: "nope + 1"});
console.log("unknown name: " + unknown.success + " " + unknown.error_kind);
const escape = await Tool.execute("calculator", {input: "__import__('os').system('echo pwned')"});
console.log("no python escape: " + escape.success);
const valid = await Tool.execute("calculator", {operation: "validate", input: "1 + x"});
const invalid = await Tool.execute("calculator", {operation: "validate", input: "1 +"});
console.log("validate: " + valid.result.valid + " " + invalid.result.valid);
const fns = (await Tool.execute("calculator", {operation: "functions"})).result;
console.log("has sqrt: " + (fns.functions.length > 10) + ", constants: " + fns.constants.join(","));
try {
  await Tool.execute("calculator", {input: "x", variables: {x: "four"}});
} catch (err) {
  console.log("bad variable: false " + err.name + ": " + err.message);
}
try {
  await Tool.execute("calculator", {input: 42});
} catch (err) {
  console.log("bad input type: false " + err.name + ": " + err.message);
}
console.log("metadata.tool: " + (await Tool.execute("calculator", {input: "1"})).metadata.tool);

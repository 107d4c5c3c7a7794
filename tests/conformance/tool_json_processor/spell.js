// json-processor: jq queries on JSON text and on values, validation, formatting, bad input
const doc = '{"users": [{"name": "Ada", "age": 36}, {"name": "Alan", "age": 41}, {"name": "Grace", "age": 29}]}';
function show(label, r) {
  if (r.success) console.log(label + ": " + r.text); else console.log(label + ": failed " + r.error_kind + ": " + r.error);
}
show("length", await Tool.execute("json-processor", {operation: "query", input: doc, query: ".users | length"}));
show("select", await Tool.execute("json-processor", {input: doc, query: "[.users[] | select(.age > 30) | .name]"}));
const many = await Tool.execute("json-processor", {input: doc, query: ".users[].name"});
console.log("several outputs: " + many.result.count + " " + many.result.result.join(","));
show("transform", await Tool.execute("json-processor", {operation: "transform", input: doc, query: "{names: [.users[].name] | sort}"}));
const schema = {type: "object", required: ["users"], properties: {users: {type: "array"}}};
const valid = await Tool.execute("json-processor", {operation: "validate", input: doc, schema: schema});
console.log("validate: " + valid.success + " " + valid.result.valid);
const invalid = await Tool.execute("json-processor", {operation: "validate", input: '{"users": 5}', schema: schema});
console.log("validate wrong type: " + invalid.result.valid);
show("bad json", await Tool.execute("json-processor", {input: "{bad", query: "."}));
const badq = await Tool.execute("json-processor", {input: doc, query: ".users[] | nosuchfn"});
console.log("bad query: " + badq.success);

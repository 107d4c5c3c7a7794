// Built-in utility tools: uuid-generator validate/deterministic, hash-calculator, base64-encoder, text-manipulator
function field(label, r, value) {
  if (r.success) console.log(label + ": " + String(value(r))); else console.log(label + ": failed " + r.error_kind + ": " + r.error);
}
const uuid = "550e8400-e29b-41d4-a716-446655440000";
field("uuid valid", await Tool.execute("uuid-generator", {operation: "validate", input: uuid}), (r) => String(r.result.valid) + " " + r.result.version);
field("uuid invalid", await Tool.execute("uuid-generator", {operation: "validate", input: "not-a-uuid"}), (r) => String(r.result.valid) + " " + r.text);
const a = await Tool.execute("uuid-generator", {operation: "deterministic", name: "conformance"});
const b = await Tool.execute("uuid-generator", {operation: "deterministic", name: "conformance"});
console.log("deterministic is stable: " + (a.result.uuid === b.result.uuid) + " " + a.result.uuid);
const v4 = await Tool.execute("uuid-generator", {});
const check = await Tool.execute("uuid-generator", {operation: "validate", input: v4.result.uuid});
console.log("generated validates: " + check.result.valid + " " + check.result.version);
field("sha256", await Tool.execute("hash-calculator", {operation: "hash", algorithm: "sha256", input: "hello"}), (r) => r.result.hash);
field("md5 base64", await Tool.execute("hash-calculator", {operation: "hash", algorithm: "md5", input: "hello", format: "base64"}), (r) => r.result.hash);
field("verify ok", await Tool.execute("hash-calculator", {operation: "verify", algorithm: "md5", input: "hello", expected_hash: "5d41402abc4b2a76b9719d911017c592"}), (r) => String(r.result.verified));
field("verify wrong", await Tool.execute("hash-calculator", {operation: "verify", algorithm: "md5", input: "hello", expected_hash: "00000000000000000000000000000000"}), (r) => String(r.result.verified));
field("base64 encode", await Tool.execute("base64-encoder", {operation: "encode", input: "hello world"}), (r) => r.result.output);
field("base64 url_safe", await Tool.execute("base64-encoder", {operation: "encode", input: "??>>", variant: "url_safe"}), (r) => r.result.output);
field("base64 decode", await Tool.execute("base64-encoder", {operation: "decode", input: "aGVsbG8gd29ybGQ="}), (r) => r.text);
const bad = await Tool.execute("base64-encoder", {operation: "decode", input: "!!!"});
console.log("base64 bad input: " + bad.success + " " + bad.error_kind);
field("uppercase", await Tool.execute("text-manipulator", {operation: "uppercase", input: "Hello"}), (r) => r.result.result);
field("snake_case", await Tool.execute("text-manipulator", {operation: "snake_case", input: "Hello World Again"}), (r) => r.result.result);
field("camel_case", await Tool.execute("text-manipulator", {operation: "camel_case", input: "hello world again"}), (r) => r.result.result);
field("kebab_case", await Tool.execute("text-manipulator", {operation: "kebab_case", input: "HelloWorld again"}), (r) => r.result.result);
field("replace", await Tool.execute("text-manipulator", {operation: "replace", input: "a-b-c", options: {from: "-", to: "+"}}), (r) => r.result.result);
field("reverse", await Tool.execute("text-manipulator", {operation: "reverse", input: "stressed"}), (r) => r.result.result);
field("trim", await Tool.execute("text-manipulator", {operation: "trim", input: "  padded  "}), (r) => "[" + r.result.result + "]");
try {
  await Tool.execute("text-manipulator", {operation: "shout", input: "x"});
  console.log("unknown operation raises: false");
} catch (err) {
  console.log("unknown operation raises: false " + err.name);
}

// file-operations in the working directory (an allowed path by default): write, append, read, exists, delete; denials raise
function show(label, r) {
  if (r.success) console.log(label + ": " + r.text); else console.log(label + ": failed " + r.error_kind + ": " + r.error);
}
show("write", await Tool.execute("file-operations", {operation: "write", path: "notes/todo.txt", input: "line one\n"}));
show("append", await Tool.execute("file-operations", {operation: "append", path: "notes/todo.txt", input: "line two\n"}));
const read = await Tool.execute("file-operations", {operation: "read", path: "notes/todo.txt"});
console.log("read: " + read.text.replace(/\n/g, "|"));
show("exists", await Tool.execute("file-operations", {operation: "exists", path: "notes/todo.txt"}));
show("overwrite", await Tool.execute("file-operations", {operation: "write", path: "notes/todo.txt", input: "fresh"}));
console.log("read again: " + (await Tool.execute("file-operations", {operation: "read", path: "notes/todo.txt"})).text);
show("delete", await Tool.execute("file-operations", {operation: "delete", path: "notes/todo.txt"}));
console.log("exists after delete: " + (await Tool.execute("file-operations", {operation: "exists", path: "notes/todo.txt"})).result.exists);
show("read missing", await Tool.execute("file-operations", {operation: "read", path: "missing.txt"}));
try {
  await Tool.execute("file-operations", {operation: "read", path: "/etc/passwd"});
} catch (err) {
  console.log("outside allowed paths: false " + (err.name + ": " + err.message).match(/SecurityError: access to '\/etc\/passwd' is denied/)[0]);
}
try {
  await Tool.execute("file-operations", {operation: "write", path: "/etc/llmspell-conformance.txt", input: "x"});
} catch (err) {
  console.log("write outside: false " + err.name);
}

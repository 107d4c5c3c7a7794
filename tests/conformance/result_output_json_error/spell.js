// With --output json an uncaught error still exits 1; the last line of stdout is
// {"error": {"file", "kind", "line", "message"}, "result": null}
console.log("before the error");
function check(n) {
  if (n > 2) {
    throw Object.assign(new Error("n is too large: " + n), {name: "ValidationError"});
  }
  return n;
}
check(3);
"never the result";

// A plain script error is a ScriptError
console.log("before the error");
function fail(message) {
  throw new Error(message);
}
fail("something broke");
console.log("never printed");

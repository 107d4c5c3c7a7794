// A string result prints as plain text after the spell's output (no JSON quotes);
// in JavaScript the last expression is the result when there is no top-level await
const parts = [];
for (let i = 1; i <= 3; i++) {
  parts.push("step " + i);
  console.log("did " + parts[parts.length - 1]);
}
parts.join(", ") + ": done";

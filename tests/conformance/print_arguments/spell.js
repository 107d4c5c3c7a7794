// print writes its arguments separated by tabs and ends the line, like Lua's own print
// (JavaScript's print does the same; its console.log separates with spaces)
print("one", "two", "three");
print("number", 42, -7, 2.5, 1000000000000000);
print("booleans", true, false);
print("empty", "", "after empty");
print();
print("multi\nline");
print("unicode: café 😀 ünïcödé");
print("tab\tinside");
const parts = [];
for (let i = 1; i <= 3; i++) parts.push("part" + i);
print(...parts);

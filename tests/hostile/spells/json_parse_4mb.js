// 4 MB of JSON text whose value is far larger than --memory-mb 20
const text = "[" + "[1],".repeat(1e6) + "[1]]";
const v = JSON.parse(text);
print("SURVIVED", v.length);

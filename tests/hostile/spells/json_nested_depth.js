// 1e6-deep JSON text
const depth = 1e6;
const v = JSON.parse("[".repeat(depth) + "]".repeat(depth));
print("SURVIVED");

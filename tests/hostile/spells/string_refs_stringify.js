// a 30 MB string referenced 200 times: 6 GB once serialized
const s = "x".repeat(30 * 2 ** 20);
const t = [];
for (let i = 0; i < 200; i++) t.push(s);
const text = JSON.stringify(t);
print("SURVIVED", text.length);

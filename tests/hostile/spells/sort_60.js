// 60 native sorts of 400k strings (no comparator: no script code runs inside)
const a = [];
for (let i = 0; i < 400000; i++) a.push("s" + ((i * 7919) % 400000));
for (let k = 0; k < 60; k++) a.slice().sort();
print("SURVIVED");

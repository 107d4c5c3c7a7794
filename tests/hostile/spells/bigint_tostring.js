// toString of ~840k-bit BigInts: quadratic work in one native call
const x = 7n ** 300000n;
for (let i = 0; i < 100; i++) (x + BigInt(i)).toString();
print("SURVIVED");

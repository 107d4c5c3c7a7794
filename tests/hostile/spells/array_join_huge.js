// one native call that loops 2^32 - 1 times
Array(2 ** 32 - 1).join("");
print("SURVIVED");

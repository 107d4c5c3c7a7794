// a 1e6-deep array handed to the host (serialized by the bridge)
let root = [];
for (let i = 0; i < 1e6; i++) root = [root];
await State.set("deep", root);
print("SURVIVED");

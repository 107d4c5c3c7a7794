// the attack inside an async generator
const g = (async function* () { for (;;) {} })();
await g.next();
print("SURVIVED");

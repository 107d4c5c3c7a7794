const a = await Agent.create({ model: "slow/m" });
print("READY");
const r = await a.execute("hi");
print("SURVIVED", r.text);

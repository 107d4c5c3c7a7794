// the attack inside a spell-registered tool's handler
await Tool.register({ name: "spin", description: "spins", handler: (params) => {
  for (;;) {}
} });
await Tool.execute("spin", {});
print("SURVIVED");

// a long native call inside a tool handler, behind try/catch, forever
await Tool.register({ name: "join", description: "joins", handler: (params) => {
  return Array(2 ** 32 - 1).join("");
} });
for (;;) {
  try { await Tool.execute("join", {}); } catch (e) { /* swallowed? */ }
}
print("SURVIVED");

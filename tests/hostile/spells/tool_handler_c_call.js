// a long native call inside a tool handler, behind try/catch
await Tool.register({ name: "join", description: "joins", handler: (params) => {
  return Array(2 ** 32 - 1).join("");
} });
try { await Tool.execute("join", {}); } catch (e) { /* swallowed? */ }
print("SURVIVED");

// a sloppy-mode function called by the bridge reads its caller
const found = [];
function handler(params) {
  try {
    let c = handler.caller;
    for (let i = 0; c && i < 10; i++) { found.push(c.name || "<anonymous>"); c = c.caller; }
  } catch (e) { /* refused: fine */ }
  return 1;
}
await Tool.register({ name: "t", description: "d", handler });
await Tool.execute("t", {});
print("LEAKED:" + found.join(","));

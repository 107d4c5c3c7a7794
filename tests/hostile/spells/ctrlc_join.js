print("READY");
await Event.publish("hostile.ready", {});  // a host round trip hands READY to the terminal
for (;;) {
  try { Array(2 ** 32 - 1).join(""); } catch (e) { /* refused: try again */ }
}

print("READY");
await Event.publish("hostile.ready", {});  // a host round trip hands READY to the terminal
Array(2 ** 32 - 1).join("");

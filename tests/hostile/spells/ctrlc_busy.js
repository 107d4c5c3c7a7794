print("READY");
await Event.publish("hostile.ready", {});  // a host round trip hands READY to the terminal
for (;;) {}

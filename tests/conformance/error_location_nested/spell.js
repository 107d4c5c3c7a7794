// An uncaught error raised by a host call inside nested functions reports the line of
// that call (not of the outer call)
async function loadRecord(name) {
  console.log("loading " + name);
  const record = await Tool.execute(name, {});
  return record;
}
async function outer(name) {
  const record = await loadRecord(name);
  return record;
}
// (caught, the error's message is the host's message; its name is the kind)
try {
  await outer("conf-missing-1");
} catch (err) {
  console.log("caught: false " + err.name + ": " + err.message.match(/^unknown tool '[^']+'/)[0]);
}
await outer("conf-missing-2");
console.log("never printed");

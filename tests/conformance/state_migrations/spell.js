// State migrations: a schema version per scope, functions registered by the spell,
// applied in one transaction (a failing migration writes nothing)
await State.save("users", "ann", {name: "Ann Lee", age: 30});
await State.save("users", "bob", {name: "Bob", age: 17});
await State.save("users", "tmp", {name: "x", temp: true});
console.log("versions before: " + String((await State.getSchemaVersions()).users ?? "nil"));
await State.registerMigration("users", 1, (v, key) => {
  if (v.temp) return null; // null deletes the key
  return {full_name: v.name, age: v.age};
});
await State.registerMigration("users", 2, (v, key) => {
  v.adult = v.age >= 18;
  v.id = key;
  return v;
});
const status = await State.getMigrationStatus();
console.log("pending: " + status[0].scope + " " + status[0].current + " -> " + status[0].target + " [" + status[0].pending.join(",") + "]");
const dry = await State.migrate({dry_run: true});
console.log("dry run: " + dry[0].changed + " changed, " + dry[0].deleted + " deleted; still " + (await State.listKeys("users")).length + " keys");
const r = await State.migrate();
console.log("migrated: " + r[0].from + " -> " + r[0].to + ", " + r[0].keys + " keys, " + r[0].changed + " changed, " + r[0].deleted + " deleted");
const ann = await State.load("users", "ann");
console.log("ann: " + ann.full_name + " " + ann.adult + " " + ann.id);
console.log("keys: " + (await State.listKeys("users")).join(","));
console.log("version: " + (await State.getSchemaVersions()).users);
console.log("again: " + (await State.migrate())[0].applied.length + " applied");
// a failing migration writes nothing
await State.registerMigration("users", 3, (v, key) => {
  if (key === "bob") throw new Error("bad data for bob");
  v.v3 = true;
  return v;
});
try {
  await State.migrate();
  console.log("failed: true");
} catch (err) {
  const text = err.message;
  console.log("failed: false " + text.match(/State\.migrate: scope '[^']*', key '[^']*', to version \d+/)[0] + " " + text.includes("bad data for bob") + " " + text.includes("nothing was written"));
}
console.log("ann unchanged: " + String((await State.load("users", "ann")).v3 ?? "nil") + " version " + (await State.getSchemaVersions()).users);
try {
  await State.registerMigration("users", 2, (v) => v);
} catch (err) {
  console.log("duplicate: false " + err.name + ": " + err.message);
}
try { await State.migrate({scope: "nope"}); } catch (err) { console.log("unknown scope: " + err.name + ": " + err.message); }
await State.setSchemaVersion("fresh", 4);
console.log("set version: " + (await State.getSchemaVersions()).fresh);

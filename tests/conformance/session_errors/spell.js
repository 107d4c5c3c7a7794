// Unknown ids, a deleted session made current, bad options and moves: clear errors
async function attempt(label, f, ...args) {
  try { console.log(label + ": true " + String(await f(...args))); }
  catch (err) { console.log(label + ": false " + err.name + ": " + err.message); }
}
await attempt("get unknown", Session.get, "no-such-session");
await attempt("load unknown", Session.load, "no-such-session");
await attempt("set_current unknown", Session.setCurrent, "no-such-session");
await attempt("empty id", Session.get, "");
await attempt("id not a string", Session.get, 42);
await attempt("unknown option", Session.create, {title: "x"});
await attempt("tags not strings", Session.create, {tags: [1]});
await attempt("name not a string", Session.create, {name: {}});
await attempt("list bad status", Session.list, {status: "sleeping"});
const id = await Session.create({name: "gone"});
await Session.complete(id);
await attempt("resume completed", Session.resume, id);
await attempt("suspend completed", Session.suspend, id);
await attempt("current completed", Session.setCurrent, id);
await Session.delete(id);
await attempt("current deleted", Session.setCurrent, id);
await attempt("replay", Replay.replay, id, {mode: "exact"});
await attempt("can_replay", Replay.canReplay, id);
console.log("current: " + (await Session.getCurrent() ?? "nil"));

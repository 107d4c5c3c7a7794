// Artifacts over the cap, unknown sessions and artifacts, paths outside the sandbox,
// bad content and filters: clear errors, nothing stored
async function attempt(label, f, ...args) {
  try { console.log(label + ": true " + String(await f(...args))); }
  catch (err) { console.log(label + ": false " + err.name + ": " + err.message); }
}
const sid = await Session.create({name: "capped"});
await attempt("over the cap", Artifact.store, sid, "agent_output", "big", "x".repeat(17));
await attempt("at the cap", async () => (await Artifact.store(sid, "agent_output", "ok", "x".repeat(16))).sequence);
await attempt("base64 over the cap", Artifact.store, sid, "x", "big", {base64: "A".repeat(40)});
await attempt("bad base64", Artifact.store, sid, "x", "bad", {base64: "***"});
await attempt("content a number", Artifact.store, sid, "x", "n", 12);
await attempt("content a table", Artifact.store, sid, "x", "t", {text: "hi"});
await attempt("empty type", Artifact.store, sid, "", "name", "c");
await attempt("empty name", Artifact.store, sid, "x", "", "c");
await attempt("unknown session", Artifact.store, "no-such-session", "x", "n", "c");
await attempt("list unknown session", Artifact.list, "no-such-session");
await attempt("unknown artifact", Artifact.get, sid, 99);
await attempt("bad artifact id", Artifact.get, sid, true);
await attempt("other session's id", Artifact.get, sid, {session_id: "other", sequence: 1});
await attempt("outside the sandbox", Artifact.storeFile, sid, "/etc/hostname");
await attempt("missing file", Artifact.storeFile, sid, "missing.txt");
await attempt("unknown filter", Artifact.query, {colour: "red"});
await attempt("bad size filter", Artifact.query, {min_size: "big"});
await attempt("bad time filter", Artifact.query, {created_after: "yesterday"});
await attempt("bad encoding", Artifact.get, sid, 1, {encoding: "hex"});
await Artifact.store(sid, "x", "two", "2");
await Artifact.store(sid, "x", "three", "3");
await attempt("fourth artifact", Artifact.store, sid, "x", "four", "4");
await Session.complete(sid);
await attempt("completed session", Artifact.store, sid, "x", "late", "c");
console.log("stored: " + (await Artifact.list(sid)).length);

// Memory: episodic entries by session, stats, semantic facts, consolidation needs an LLM.
async function attempt(label, f) {
  try { await f(); print(label + ": ok"); }
  catch (e) { print(label + ": " + `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }
}
let s = await Memory.stats();
print("empty:", s.episodic_count, s.semantic_count, s.has_episodic, s.has_semantic, s.has_consolidation);
const id = await Memory.episodic.add("trip", "user", "I am planning a trip to Kyoto in April.", {source: "chat"});
await Memory.episodic.add("trip", "assistant", "April is cherry blossom season in Kyoto.");
await Memory.episodic.add("work", "user", "The quarterly report is due on Monday.");
print("id:", typeof id, id.slice(0, 3));
const found = await Memory.episodic.search("trip", "Japan travel plans", 5);
print("search:", found.length, found[0].id === id, found[0].session_id, found[0].role, found[0].metadata.source);
print("fields:", found[0].content, typeof found[0].created_at, found[0].score > 0);
print("other session:", (await Memory.episodic.search("work", "cherry blossom", 5)).length, (await Memory.episodic.search("work", "report"))[0].role);
print("no session:", (await Memory.episodic.search("none", "anything")).length);
print("semantic:", (await Memory.semantic.query("Kyoto", 3)).length);
s = await Memory.stats();
print("stats:", s.episodic_count, s.semantic_count, s.sessions_with_unprocessed, s.has_episodic, s.has_consolidation);
await attempt("consolidate", () => Memory.consolidate());
await attempt("empty session", () => Memory.episodic.add("", "user", "x"));
await attempt("empty content", () => Memory.episodic.add("s", "user", ""));
await attempt("too big", () => Memory.episodic.add("s", "user", "y".repeat(1001)));
await attempt("bad limit", () => Memory.episodic.search("s", "q", 0));
await attempt("bad type", () => Memory.episodic.add("s", "user", 5));

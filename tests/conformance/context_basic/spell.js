// Context.assemble: memory and documents for a query, always within the token budget.
for (let i = 1; i <= 12; i++) {
  await Memory.episodic.add("proj", "user", "Note " + i + ": the database migration must finish before the launch.");
}
await Memory.episodic.add("proj", "assistant", "The launch is planned for June.");
await RAG.ingest({id: "runbook", content: "The migration runbook: back up, migrate, verify."});
const c = await Context.assemble("when is the launch?", "episodic", 60, "proj");
print("within budget:", c.token_count <= 60, c.token_count > 0, c.chunks.length > 0);
const first = c.chunks[0];
print("chunk:", first.ranker, first.chunk.source, first.chunk.role, typeof first.chunk.timestamp, first.score > 0);
print("formatted lines:", c.formatted.split("\n").length === c.chunks.length);
print("confidence:", c.total_confidence > 0 && c.total_confidence <= 1, c.temporal_span.start <= c.temporal_span.end);
const big = await Context.assemble("database migration", "episodic", 8192, "proj");
print("large budget:", big.chunks.length, big.token_count <= 8192);
const tiny = await Context.assemble("database migration", "episodic", 1, "proj");
print("tiny budget:", tiny.chunks.length, tiny.token_count, tiny.formatted === "");
const rag = await Context.assemble("migration runbook", "rag");
print("rag:", rag.chunks.length, rag.chunks[0].chunk.source, rag.chunks[0].chunk.role);
const hybrid = await Context.assemble("launch", {strategy: "hybrid", max_tokens: 200, session_id: "proj"});
print("hybrid:", hybrid.strategy, hybrid.chunks.length > 0, hybrid.token_count <= 200);
print("semantic:", (await Context.assemble("launch", "semantic")).chunks.length);
print("test:", (await Context.test("launch", "proj")).map((t) => t.strategy).join(","));
const st = await Context.strategyStats();
print("stats:", st.episodic_count, st.semantic_count, st.strategies.length);
try { await Context.assemble("q", "fuzzy"); } catch (e) { print("bad strategy:", `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }
try { await Context.assemble("q", "hybrid", 0); } catch (e) { print("bad budget:", `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }

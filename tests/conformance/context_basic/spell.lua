-- Context.assemble: memory and documents for a query, always within the token budget.
for i = 1, 12 do
  Memory.episodic.add("proj", "user", "Note " .. i .. ": the database migration must finish before the launch.")
end
Memory.episodic.add("proj", "assistant", "The launch is planned for June.")
RAG.ingest({id = "runbook", content = "The migration runbook: back up, migrate, verify."})
local c = Context.assemble("when is the launch?", "episodic", 60, "proj")
print("within budget:", c.token_count <= 60, c.token_count > 0, #c.chunks > 0)
local first = c.chunks[1]
print("chunk:", first.ranker, first.chunk.source, first.chunk.role, type(first.chunk.timestamp), first.score > 0)
print("formatted lines:", select(2, c.formatted:gsub("\n", "")) + 1 == #c.chunks)
print("confidence:", c.total_confidence > 0 and c.total_confidence <= 1, c.temporal_span.start <= c.temporal_span["end"])
local big = Context.assemble("database migration", "episodic", 8192, "proj")
print("large budget:", #big.chunks, big.token_count <= 8192)
local tiny = Context.assemble("database migration", "episodic", 1, "proj")
print("tiny budget:", #tiny.chunks, tiny.token_count, tiny.formatted == "")
local rag = Context.assemble("migration runbook", "rag")
print("rag:", #rag.chunks, rag.chunks[1].chunk.source, rag.chunks[1].chunk.role)
local hybrid = Context.assemble("launch", {strategy = "hybrid", max_tokens = 200, session_id = "proj"})
print("hybrid:", hybrid.strategy, #hybrid.chunks > 0, hybrid.token_count <= 200)
print("semantic:", #Context.assemble("launch", "semantic").chunks)
local names = {}
for _, t in ipairs(Context.test("launch", "proj")) do names[#names + 1] = t.strategy end
print("test:", table.concat(names, ","))
local st = Context.strategy_stats()
print("stats:", st.episodic_count, st.semantic_count, #st.strategies)
local ok, err = pcall(Context.assemble, "q", "fuzzy")
print("bad strategy:", tostring(err):match("(%a+Error: [^(]*)"))
ok, err = pcall(Context.assemble, "q", "hybrid", 0)
print("bad budget:", tostring(err):match("(%a+Error: [^(]*)"))

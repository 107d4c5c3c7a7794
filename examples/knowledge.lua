-- knowledge.lua: a knowledge base, no key and no network. Run it with: llmspell run examples/knowledge.lua -- "how do plants make food?"
-- (the local embedder, all-MiniLM-L6-v2, and a sqlite-vec file under ~/.llmspell)
local question = ARGS[1] or "how do plants make food?"

-- documents go into a scope; ingesting the same ids again replaces them
local docs = {
  {id = "photosynthesis", text = "Plants use sunlight, water and carbon dioxide to make sugar and oxygen. This is photosynthesis.", metadata = {topic = "biology"}},
  {id = "volcano", text = "A volcano erupts when molten rock from deep inside the Earth rises to the surface.", metadata = {topic = "geology"}},
  {id = "bread", text = "Bread dough rises because yeast ferments sugar and releases carbon dioxide gas.", metadata = {topic = "cooking"}},
  {id = "tides", text = "Ocean tides are caused mostly by the pull of the Moon's gravity on the Earth's water.", metadata = {topic = "physics"}},
}
local ingested = RAG.ingest(docs, {scope = "examples", scope_id = "knowledge"})
print("documents: " .. ingested.documents_processed .. ", chunks: " .. ingested.vectors_created)

-- search by meaning, not by keywords
local found = RAG.search(question, {scope = "examples", scope_id = "knowledge", top_k = 2})
print("best match for '" .. question .. "': " .. found.results[1].metadata.doc_id)

-- a metadata filter narrows the search
local cooking = RAG.search("gas", {scope = "examples", scope_id = "knowledge", top_k = 1,
  filters = {topic = "cooking"}})
print("in cooking: " .. cooking.results[1].metadata.doc_id)

-- memory of a conversation, and the context an agent would get within a token budget
Memory.episodic.add("example-session", "user", "My favourite plant is the fern.")
Memory.episodic.add("example-session", "assistant", "Ferns reproduce with spores, not seeds.")
local context = Context.assemble("what plant do I like?", "episodic", 200, "example-session")
print("top of the context: " .. context.chunks[1].chunk.content)
print("within the budget: " .. tostring(context.token_count <= 200))

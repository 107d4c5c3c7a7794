-- RAG with the default local embedder and sqlite-vec store: ingest, search, scopes, stats.
local empty = RAG.search("anything at all")
print("before ingest:", empty.success, empty.total, #empty.results)
local docs = {
  {id = "cats", content = "Cats are small furry pets. A cat purrs when it is happy.", metadata = {kind = "pet"}},
  {id = "rust", content = "Rust is a systems programming language with a borrow checker.", metadata = {kind = "code"}},
  {id = "tea", text = "Green tea is brewed from unoxidised tea leaves.", metadata = {kind = "food"}},
}
local r = RAG.ingest(docs)
print("ingest:", r.success, r.documents_processed, r.vectors_created, r.total_tokens > 20)
local s = RAG.search("which animal purrs?", {top_k = 2})
local top = s.results[1]
print("search:", s.success, s.total, top.id, top.text == top.content, top.metadata.kind, top.metadata.doc_id)
print("score:", top.score > s.results[2].score, top.score <= 1)
local f = RAG.search("programming", {metadata_filter = {kind = {"food", "pet"}}})
local ids = {}
for _, hit in ipairs(f.results) do ids[#ids + 1] = hit.id end
table.sort(ids)
print("filtered:", table.concat(ids, ","))
print("threshold:", RAG.search("cats", {threshold = 0.99}).total)
RAG.ingest({id = "n1", content = "Meeting notes: ship on Friday."}, {scope = "user", scope_id = "ana"})
print("scoped:", RAG.search("ship", {scope = "user"}).total, RAG.search("ship", {scope = "user", scope_id = "bo"}).total)
local st = RAG.get_stats()
print("stats:", st.total_vectors, st.total_documents, #st.scopes, st.store, st.model, st.dimensions)
print("user stats:", RAG.get_stats("user", "ana").total_documents)
RAG.ingest({id = "cats", content = "Cats sleep most of the day."})
print("replaced:", RAG.get_stats("global").total_vectors, RAG.search("cats sleep", {k = 1}).results[1].content)
print("cleanup:", RAG.cleanup_scope("user"), RAG.get_stats().total_vectors)
local local_found = false
for _, p in ipairs(RAG.list_providers()) do
  if p.name == "local" then local_found = p.default end
end
print("providers:", local_found, RAG.configure({top_k = 1}), RAG.search("tea").total, RAG.save())

// RAG with the default local embedder and sqlite-vec store: ingest, search, scopes, stats.
const empty = await RAG.search("anything at all");
print("before ingest:", empty.success, empty.total, empty.results.length);
const docs = [
  {id: "cats", content: "Cats are small furry pets. A cat purrs when it is happy.", metadata: {kind: "pet"}},
  {id: "rust", content: "Rust is a systems programming language with a borrow checker.", metadata: {kind: "code"}},
  {id: "tea", text: "Green tea is brewed from unoxidised tea leaves.", metadata: {kind: "food"}},
];
const r = await RAG.ingest(docs);
print("ingest:", r.success, r.documents_processed, r.vectors_created, r.total_tokens > 20);
const s = await RAG.search("which animal purrs?", {top_k: 2});
const top = s.results[0];
print("search:", s.success, s.total, top.id, top.text === top.content, top.metadata.kind, top.metadata.doc_id);
print("score:", top.score > s.results[1].score, top.score <= 1);
const f = await RAG.search("programming", {metadata_filter: {kind: ["food", "pet"]}});
print("filtered:", f.results.map((h) => h.id).sort().join(","));
print("threshold:", (await RAG.search("cats", {threshold: 0.99})).total);
await RAG.ingest({id: "n1", content: "Meeting notes: ship on Friday."}, {scope: "user", scope_id: "ana"});
print("scoped:", (await RAG.search("ship", {scope: "user"})).total, (await RAG.search("ship", {scope: "user", scope_id: "bo"})).total);
const st = await RAG.getStats();
print("stats:", st.total_vectors, st.total_documents, st.scopes.length, st.store, st.model, st.dimensions);
print("user stats:", (await RAG.getStats("user", "ana")).total_documents);
await RAG.ingest({id: "cats", content: "Cats sleep most of the day."});
print("replaced:", (await RAG.getStats("global")).total_vectors, (await RAG.search("cats sleep", {k: 1})).results[0].content);
print("cleanup:", await RAG.cleanupScope("user"), (await RAG.getStats()).total_vectors);
let localFound = false;
for (const p of await RAG.listProviders()) if (p.name === "local") localFound = p.default;
print("providers:", localFound, await RAG.configure({top_k: 1}), (await RAG.search("tea")).total, await RAG.save());

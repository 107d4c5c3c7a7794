// RAG's bad input: each error names what was wrong (and its limit).
async function attempt(label, f) {
  try { await f(); print(label + ": ok"); }
  catch (e) { print(label + ": " + `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }
}
await attempt("all empty", () => RAG.ingest([{content: ""}, {content: "  "}]));
await attempt("huge", () => RAG.ingest({id: "big", content: "x".repeat(201)}));
await attempt("too many", () => RAG.ingest([{content: "a"}, {content: "b"}, {content: "c"}, {content: "d"}]));
await attempt("no content", () => RAG.ingest([{id: "x"}]));
await attempt("nested metadata", () => RAG.ingest({content: "a", metadata: {deep: {x: 1}}}));
await attempt("reserved scope", () => RAG.ingest({content: "a"}, {scope: "memory:episodic"}));
await attempt("bad strategy", () => RAG.ingest({content: "a"}, {chunking: {strategy: "words"}}));
await attempt("bad overlap", () => RAG.ingest({content: "a"}, {chunking: {chunk_size: 32, overlap: 40}}));
await attempt("unknown provider", () => RAG.ingest({content: "a"}, {provider: "nope"}));
await attempt("empty query", () => RAG.search(""));
await attempt("bad top_k", () => RAG.search("q", {top_k: 0}));
await attempt("bad threshold", () => RAG.search("q", {threshold: 3}));
await attempt("bad configure", () => RAG.configure({embedder: "x"}));
const mixed = await RAG.ingest([{content: "some text"}, {content: ""}]);
print("mixed:", mixed.documents_processed, mixed.documents_skipped);
await RAG.ingest([{content: "one"}, {content: "two"}, {content: "three"}]);
print("top_k capped:", (await RAG.search("one two three", {top_k: 50})).total);

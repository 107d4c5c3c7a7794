// RAG.ingestFile: text, Markdown, HTML and PDF inside the allowed paths; bad files refused.
async function attempt(label, f) {
  try { await f(); print(label + ": ok"); }
  catch (e) { print(label + ": " + `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }
}
const r = await RAG.ingestFile(["docs/volcano.txt", "docs/glacier.md", "docs/desert.html", "docs/rainforest.pdf"], {scope: "geo"});
print("ingested:", r.success, r.documents_processed, r.vectors_created);
for (const q of ["magma eruption", "slow rivers of ice", "little rain falls", "plant species in tropical forests"]) {
  const hit = (await RAG.search(q, {scope: "geo", top_k: 1})).results[0];
  print(q + " ->", hit.id, hit.metadata.file_type, hit.metadata.heading ?? "-");
}
print("scripts left out:", !(await RAG.search("never indexed", {scope: "geo", top_k: 4})).results[0].content.includes("hidden"));
print("one path:", (await RAG.ingestFile("docs/volcano.txt", {scope: "geo"})).vectors_created, (await RAG.getStats("geo")).total_documents);
await attempt("binary", () => RAG.ingestFile("docs/archive.txt"));
await attempt("unknown type", () => RAG.ingestFile("docs/notes.docx"));
await attempt("missing", () => RAG.ingestFile("docs/nope.md"));
await attempt("outside", () => RAG.ingestFile("/etc/hostname"));
await attempt("bad argument", () => RAG.ingestFile(42));

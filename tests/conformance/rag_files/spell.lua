-- RAG.ingest_file: text, Markdown, HTML and PDF inside the allowed paths; bad files refused.
local function try(label, f)
  local ok, err = pcall(f)
  if ok then print(label .. ": ok") else print(label .. ": " .. (tostring(err):match("(%a+Error: [^(]*)"))) end
end
local r = RAG.ingest_file({"docs/volcano.txt", "docs/glacier.md", "docs/desert.html", "docs/rainforest.pdf"}, {scope = "geo"})
print("ingested:", r.success, r.documents_processed, r.vectors_created)
for _, q in ipairs({"magma eruption", "slow rivers of ice", "little rain falls", "plant species in tropical forests"}) do
  local hit = RAG.search(q, {scope = "geo", top_k = 1}).results[1]
  print(q .. " ->", hit.id, hit.metadata.file_type, hit.metadata.heading or "-")
end
print("scripts left out:", RAG.search("never indexed", {scope = "geo", top_k = 4}).results[1].content:find("hidden") == nil)
print("one path:", RAG.ingest_file("docs/volcano.txt", {scope = "geo"}).vectors_created, RAG.get_stats("geo").total_documents)
try("binary", function() return RAG.ingest_file("docs/archive.txt") end)
try("unknown type", function() return RAG.ingest_file("docs/notes.docx") end)
try("missing", function() return RAG.ingest_file("docs/nope.md") end)
try("outside", function() return RAG.ingest_file("/etc/hostname") end)
try("bad argument", function() return RAG.ingest_file(42) end)

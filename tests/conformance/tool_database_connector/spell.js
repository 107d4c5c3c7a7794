// database-connector on a SQLite file in the working directory, writes allowed by llmspell.toml
const db = "sqlite:///shop.db";
async function run(params) {
  params.url = db;
  return await Tool.execute("database-connector", params);
}
console.log("create: " + (await run({operation: "execute", query: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, cents INTEGER)"})).text);
const names = ["apple", "pear", "x'); DROP TABLE items; --"];
for (let i = 1; i <= names.length; i++) {
  const r = await run({operation: "execute", query: "INSERT INTO items (name, cents) VALUES (:name, :cents)", params: {name: names[i - 1], cents: i * 40}});
  console.log("insert " + i + ": " + r.result.rows_affected);
}
const q = await run({query: "SELECT id, name, cents FROM items WHERE cents < :1 ORDER BY id", params: [100]});
console.log("columns: " + q.result.columns.join(","));
for (const row of q.result.rows) console.log("row: " + row.id + " " + row.name + " " + row.cents);
console.log("row_count: " + q.result.row_count + " truncated: " + q.result.truncated);
const inj = await run({query: "SELECT count(*) AS n FROM items WHERE name = :n", params: {n: names[2]}});
console.log("injection stored verbatim: " + inj.result.rows[0].n);
const capped = await run({query: "SELECT id FROM items ORDER BY id", max_rows: 2});
console.log("capped: " + capped.result.row_count + " truncated: " + capped.result.truncated);
const s = await run({operation: "schema"});
const t = s.result.tables[0];
const cols = t.columns.map((c) => c.name + ":" + c.type + (c.primary_key ? "*" : ""));
console.log("schema: " + t.name + " " + cols.join(" "));
const two = await run({query: "SELECT 1; DROP TABLE items"});
console.log("two statements: " + two.error_kind);
const bad = await run({query: "SELECT nope FROM items"});
console.log("bad sql: " + bad.error_kind + " " + bad.error.includes("no such column: nope"));
try {
  await run({operation: "execute", query: "ATTACH DATABASE 'other.db' AS other"});
} catch (err) {
  console.log("attach: false " + err.name);
}
try {
  await Tool.execute("database-connector", {url: "sqlite:////etc/shop.db", query: "SELECT 1"});
} catch (err) {
  console.log("outside allowed paths: false " + err.name);
}

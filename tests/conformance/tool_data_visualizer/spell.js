// data-visualizer writes PNG and SVG charts in the working directory and reports their size
const sales = [
  {month: "Jan", north: 12, south: 7},
  {month: "Feb", north: 15, south: 9},
  {month: "Mar", north: 9, south: 14},
];
const r = await Tool.execute("data-visualizer", {chart: "bar", data: sales, x: "month", y: ["north", "south"],
  title: "Sales", output_path: "charts/sales.png", width: 640, height: 480});
console.log("bar: " + r.result.format + " " + r.result.width + "x" + r.result.height + " series " + r.result.series.join("+") + " points " + r.result.points);
console.log("bytes > 1000: " + (r.result.bytes > 1000));
console.log("exists: " + (await Tool.execute("file-operations", {operation: "exists", path: "charts/sales.png"})).result.exists);
const m = await Tool.execute("image-processor", {operation: "metadata", file_path: "charts/sales.png"});
console.log("image: " + m.result.format + " " + m.result.width + "x" + m.result.height);
const svg = await Tool.execute("data-visualizer", {chart: "line", data: {x: [1, 2, 3, 4], y: [1, 4, 9, 16]}, output_path: "charts/squares.svg", width: 400, height: 300});
console.log("line: " + svg.result.format + " " + svg.result.width + "x" + svg.result.height);
const head = (await Tool.execute("file-operations", {operation: "read", path: "charts/squares.svg"})).text;
console.log("svg root: " + head.includes("<svg"));
const bad = await Tool.execute("data-visualizer", {chart: "bar", data: sales, x: "month", y: "west", output_path: "bad.png"});
console.log("unknown field: " + bad.error_kind + ": " + bad.error);
const nan = await Tool.execute("data-visualizer", {chart: "line", data: sales, x: "north", y: "month", output_path: "bad.png"});
console.log("non-numeric: " + nan.error_kind + ": " + nan.error);
try {
  await Tool.execute("data-visualizer", {chart: "pie", data: [1, 2], output_path: "/etc/chart.png"});
} catch (err) {
  console.log("outside allowed paths: false " + err.name);
}

// Debug.timer returns a handle with stop/lap/elapsed (milliseconds); Debug.dump renders values
const t = await Debug.timer("work");
console.log("name: " + t.name);
let sum = 0;
for (let i = 1; i <= 1000; i++) sum += i;
const lap = await t.lap();
const elapsed = await t.elapsed();
const stopped = await t.stop();
console.log("lap is a number >= 0: " + String(typeof lap === "number" && lap >= 0));
console.log("elapsed is a number >= 0: " + String(typeof elapsed === "number" && elapsed >= 0));
console.log("stop >= elapsed: " + String(stopped >= elapsed));
console.log("frozen after stop: " + String((await t.elapsed()) === stopped));
const detached = t.stop;
try {
  await detached();
  console.log("called without the object: true");
} catch (err) {
  console.log("called without the object: false " + err.name + " names stop(...): "
    + String(err.message.includes("stop(...)")));
}
console.log(await Debug.dump({b: 2, a: [1, "two", true], c: {d: {}, e: "x"}}));
console.log(await Debug.dump("text"));
console.log(await Debug.dump(12));
console.log(await Debug.dump(false));
console.log(await Debug.dump({}));

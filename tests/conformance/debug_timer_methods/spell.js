// Debug.timer(name?) → a timer object; its methods lap/elapsed/stop return milliseconds
function busy() {
  let x = 0;
  for (let i = 1; i <= 20000; i++) x += i % 7;
  return x;
}

const fallback = await Debug.timer();
console.log("default name: " + fallback.name);
const t = await Debug.timer("steps");
console.log("name: " + t.name);

busy();
const lap1 = await t.lap();
busy();
const lap2 = await t.lap();
const running = await t.elapsed();
console.log("laps are numbers: " + String(typeof lap1 === "number" && typeof lap2 === "number"));
console.log("laps are positive: " + String(lap1 > 0 && lap2 > 0));
console.log("laps fit in elapsed: " + String(lap1 + lap2 <= running + 1e-6));
console.log("elapsed grows: " + String((await t.elapsed()) >= running));

const total = await t.stop();
console.log("stop >= elapsed before: " + String(total >= running));
busy();
console.log("stop again is the same: " + String((await t.stop()) === total));
console.log("elapsed frozen: " + String((await t.elapsed()) === total));

// timers are independent
const other = await Debug.timer("other");
busy();
console.log("other still runs: " + String((await other.elapsed()) > 0));
console.log("first still frozen: " + String((await t.elapsed()) === total));
console.log("default unaffected: " + String((await fallback.stop()) >= total));

// a timer is not a JSON value
try {
  await State.set("timer", t);
  console.log("saving a timer: true");
} catch (err) {
  console.log("saving a timer: false " + err.name);
}

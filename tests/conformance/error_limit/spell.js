// A wall-time limit ends the run with LimitExceeded; try/catch cannot swallow it
console.log("before the loop");
while (true) {
  try { (() => { while (true) {} })(); } catch (e) { /* not reached */ }
}

// a job queue that never empties: every job schedules the next
function again() { Promise.resolve().then(again); }
again();
await new Promise(() => {});
print("SURVIVED");

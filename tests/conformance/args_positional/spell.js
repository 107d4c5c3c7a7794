// ARGS.positional lists the arguments that are not options, in order (an array in
// both languages); the same values are ARGS[1], ARGS[2], ...
// llmspell run spell -- one --mode fast "two words" --dry-run --n=3 "" last -5
const positional = ARGS.positional;
console.log("count: " + positional.length);
positional.forEach((value, i) => {
  console.log((i + 1) + ": [" + value + "] same as ARGS[" + (i + 1) + "]: "
    + String(ARGS[i + 1] === value));
});
console.log("after the last: " + String(ARGS[positional.length + 1] === undefined));
console.log("options: mode=" + ARGS.mode + " dry-run=" + ARGS["dry-run"] + " n=" + ARGS.n);
console.log("options are not positional: " + String(!positional.join(" ").includes("fast")));
console.log("joined: " + positional.join("|"));

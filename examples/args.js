// args.js: command-line arguments. Run it with: llmspell run examples/args.js -- Ada Lovelace --greeting Hi --times 2 --loud
// ARGS[1..n] are the positional arguments (also the array ARGS.positional), ARGS.name the
// value of --name (a bare --flag is "true"), ARGS[0] the script's file name. All strings.
const greeting = ARGS.greeting ?? "Hello";
const who = ARGS.positional.length > 0 ? ARGS.positional.join(" ") : "world";
const times = Number(ARGS.times ?? "1") || 1;
let line = greeting + ", " + who + "!";
if (ARGS.loud === "true") line = line.toUpperCase();
for (let i = 0; i < times; i++) print(line);

print("script: " + ARGS[0]);
print("positional: " + ARGS.positional.length + " [" + ARGS.positional.join("|") + "]");
print("--greeting: " + (ARGS.greeting ?? "(not given)"));
print("--loud: " + (ARGS.loud ?? "(not given)"));

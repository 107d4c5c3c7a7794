// import of relative modules inside the allowed paths
import report, { banner, VERSION, shout } from "./lib/format.js";
import * as format from "./lib/format.js";
import { fails } from "./lib/text.js";

print(banner("results"));
print(report(["alpha", "beta"]));
print("version: " + VERSION + ", shout: " + shout("hi"));
print("live binding: " + format.calls);
banner("again");
print("live binding: " + format.calls);
print("namespace: " + Object.keys(format).sort().join(","));
try {
  fails();
} catch (e) {
  print("error from a module: " + e.message);
}

import { secret } from "../outside.js";
print("never " + secret);

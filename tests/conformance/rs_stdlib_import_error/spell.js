import { step } from "./broken.js";
print("never " + step());

import { pipeline } from "../../src/index.ts";
import { echo, makeDataset } from "./_components.ts";

/** Caching on (the default), off, and with a custom cache key. */
export default pipeline({ name: "caching" }, () => {
  makeDataset();
  makeDataset().setCaching(false);
  echo({ msg: "keyed" }).setCacheKey("echo-v2");
});

/** The UI's typed HTTP layer over the Weft server. */
export * from "./http.ts";
export * from "./kfp.ts";
export * from "./models.ts";
export * from "./tuning.ts";
export type * from "./types.ts";
export * from "./weft.ts";

// The public face of the `weft` package: the authoring SDK.
export {};

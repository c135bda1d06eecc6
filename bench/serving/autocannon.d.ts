/** The part of autocannon's API the serving benchmark uses (the package ships no types). */
declare module "autocannon" {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      requests?: { setupRequest?: (request: Record<string, unknown>) => Record<string, unknown> }[];
    }
    interface Result {
      non2xx: number;
      errors: number;
      timeouts: number;
      requests: { total: number; average: number };
    }
    interface Instance extends PromiseLike<Result> {
      on(
        event: "response",
        listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void,
      ): this;
      stop(): void;
    }
  }
  function autocannon(options: autocannon.Options): autocannon.Instance;
  export default autocannon;
}

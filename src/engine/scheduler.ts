/**
 * Admits tasks as capacity allows: every ready task starts at once unless CPU, memory,
 * GPUs or the global parallelism cap are exhausted, in which case it waits in FIFO order.
 * DAGs and loops start no more children at a time than the cap (`window`), so the queue
 * stays short however wide the fan-out.
 */
import { onAbort } from "./abort.ts";
import type { Capacity, ResourceDemand } from "./types.ts";

/** What a task got when admitted: the GPU device ids reserved for it. */
export interface Lease {
  gpus: string[];
  release(): void;
}

interface Waiter {
  demand: ResourceDemand;
  resolve: (lease: Lease) => void;
  reject: (e: Error) => void;
  /** Stops listening for the run's cancellation (called when admitted or canceled). */
  off: () => void;
}

/** A resource-bounded admission queue shared by all runs of one engine. */
export class Scheduler {
  readonly capacity: Capacity;
  readonly maxParallel: number;
  private usedCpus = 0;
  private usedMemory = 0;
  private freeGpus: string[];
  private running = 0;
  private queue: Waiter[] = [];

  /** `maxParallel` caps the count of admitted tasks (the engine passes its default cap). */
  constructor(capacity: Capacity, maxParallel?: number) {
    this.capacity = capacity;
    this.maxParallel = Math.max(1, Math.floor(maxParallel ?? Number.POSITIVE_INFINITY));
    this.freeGpus = [...capacity.gpus];
  }

  /** Number of tasks currently admitted. */
  get active(): number {
    return this.running;
  }

  /** Waits until the demand fits, then reserves it. Rejects if the signal aborts first. */
  acquire(demand: ResourceDemand, signal?: AbortSignal): Promise<Lease> {
    return new Promise<Lease>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new Error("canceled"));
        return;
      }
      const w: Waiter = { demand, resolve, reject, off: () => {} };
      this.queue.push(w);
      if (signal) {
        w.off = onAbort(signal, () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) {
            this.queue.splice(i, 1);
            reject(new Error("canceled"));
          }
        });
      }
      this.pump();
    });
  }

  private fits(d: ResourceDemand): boolean {
    if (this.running >= this.maxParallel) return false;
    if (this.running === 0) return d.gpus <= this.freeGpus.length; // an idle machine admits any single task that can ever fit
    return (
      this.usedCpus + d.cpus <= this.capacity.cpus &&
      this.usedMemory + d.memoryBytes <= this.capacity.memoryBytes &&
      d.gpus <= this.freeGpus.length
    );
  }

  private pump(): void {
    // FIFO with backfill: a waiting big task does not block smaller ones forever,
    // but the head is always tried first. At the count cap nothing fits: stop at once,
    // so that a release costs O(1) however many tasks wait.
    for (let i = 0; i < this.queue.length && this.running < this.maxParallel; ) {
      const w = this.queue[i];
      if (w && this.fits(w.demand)) {
        this.queue.splice(i, 1);
        w.off();
        w.resolve(this.grant(w.demand));
      } else {
        i++;
      }
    }
  }

  private grant(d: ResourceDemand): Lease {
    this.running++;
    this.usedCpus += d.cpus;
    this.usedMemory += d.memoryBytes;
    const gpus = this.freeGpus.splice(0, d.gpus);
    let released = false;
    return {
      gpus,
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        this.usedCpus -= d.cpus;
        this.usedMemory -= d.memoryBytes;
        this.freeGpus.push(...gpus);
        this.pump();
      },
    };
  }
}

/**
 * Lets the event loop turn (timers, signals, I/O) before the caller goes on. DAGs and
 * loops call it before starting each child, so that thousands of children that finish
 * without I/O (cache hits, skips, cancellation) cannot starve SIGTERM or a cancel request.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One item's fate in a batch call: undefined when it went through, else its error. */
export type BatchOutcome = unknown;

export interface BusyBatcherOptions<T> {
  /** Sends the items in one call; answers one outcome per item, in order. Throwing fails them all. */
  send(items: T[]): Promise<BatchOutcome[]>;
  /** Items per call (SNS and SQS batches: 10). */
  maxItems: number;
  /** Bytes per call, by `sizeOf` (SNS: 256 KiB for the whole batch). */
  maxBytes: number;
  sizeOf(item: T): number;
  /** Calls in flight at once. @default 2 */
  maxInFlight?: number;
}

/**
 * Batching that costs no latency: an item goes out at once while fewer than `maxInFlight` calls
 * are in flight; items that arrive meanwhile wait for a call to return and then go out together,
 * as one batch call. Idle, every item is its own call, as before; under load the calls per item
 * fall as the load rises. (A timer-based batch window would add its wait to every event's latency;
 * DataLoader-style batching per tick finds little to batch, since jobs finish at different times;
 * those are the two kinds of batching libraries offer, hence these few lines by hand.)
 */
export class BusyBatcher<T> {
  readonly #opts: Required<BusyBatcherOptions<T>>;
  readonly #waiting: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  #inFlight = 0;

  constructor(opts: BusyBatcherOptions<T>) {
    this.#opts = { maxInFlight: 2, ...opts };
  }

  /** Settles when the item's call has answered for it. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    const { maxInFlight, maxItems, maxBytes, sizeOf, send } = this.#opts;
    while (this.#inFlight < maxInFlight && this.#waiting.length > 0) {
      // At least one item per call, then as many as fit.
      let count = 1;
      let bytes = sizeOf(this.#waiting[0]!.item);
      while (count < Math.min(maxItems, this.#waiting.length)) {
        const next = sizeOf(this.#waiting[count]!.item);
        if (bytes + next > maxBytes) break;
        bytes += next;
        count++;
      }
      const batch = this.#waiting.splice(0, count);
      this.#inFlight++;
      send(batch.map((entry) => entry.item))
        .then(
          (outcomes) =>
            batch.forEach((entry, i) =>
              outcomes[i] === undefined ? entry.resolve() : entry.reject(outcomes[i]),
            ),
          (err: unknown) => batch.forEach((entry) => entry.reject(err)),
        )
        .finally(() => {
          this.#inFlight--;
          this.#pump();
        });
    }
  }
}

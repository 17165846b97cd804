/** Requests per path (without query), for tests that prove nobody asks the provider per API request. */
export class RequestCounter {
  private readonly counts = new Map<string, number>();

  record(path: string): void {
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
  }

  /** Requests whose path starts with `pathPrefix`; all requests without one. */
  count(pathPrefix = ''): number {
    let total = 0;
    for (const [path, count] of this.counts) if (path.startsWith(pathPrefix)) total += count;
    return total;
  }
}

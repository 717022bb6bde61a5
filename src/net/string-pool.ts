/**
 * One copy of a string for every connection that carries it. The strings a connection keeps
 * (its share's id and label, its signing key id, its IP address and user-agent) are new copies on
 * every upgrade, read from SQLite, a token or the request, though most connections share them
 * with others (a workshop's laptops open the same links). A pool is bounded: once full it starts
 * over, so a stream of distinct values costs at most `limit` entries, never a leak.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

  constructor(private readonly limit: number) {}

  intern(value: string): string;
  intern(value: string | null): string | null;
  intern(value: string | null): string | null {
    if (value === null) return null;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size >= this.limit) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }
}

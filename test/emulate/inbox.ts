import assert from 'node:assert/strict';

/**
 * What a test's stand-in SIP peer (a UDP socket, a WebSocket client…) has received, as text, and
 * waiting for a message to arrive: polls for up to 3 s, then fails naming what did come (first lines).
 */
export class Inbox {
  readonly got: string[] = [];

  /** The first message at or after index `after` matching `re`. */
  async waitFor(re: RegExp, after = 0): Promise<string> {
    for (let i = 0; i < 150; i++) {
      const hit = this.got.slice(after).find((g) => re.test(g));
      if (hit !== undefined) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail(`nothing matching ${re} (got: ${this.got.map((g) => g.split('\r\n')[0]).join(' | ')})`);
  }
}

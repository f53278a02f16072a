import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An append-only file in a temporary directory, written through a 1 MiB buffer: what the lab
 * records (every arrival, every captured frame) goes to disk as it happens instead of staying on
 * the heap until the end of the run — a long emulation's recording grew the heap by ~1 KB per
 * message, and the garbage collector paid for it on every major collection (BENCHMARKS.md,
 * interop). Read back once, when the outputs are written.
 */
export class Spool {
  private fd: number;
  private buf = Buffer.allocUnsafe(1 << 20);
  private len = 0;
  private written = 0;
  private readonly dir: string;

  constructor(name: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'reglab-spool-'));
    this.fd = openSync(join(this.dir, name), 'w+');
  }

  /** Bytes appended so far. */
  get size(): number {
    return this.written + this.len;
  }

  /** Room for n more bytes in the buffer (flushed first when they do not fit), or false when n exceeds the buffer. */
  private room(n: number): boolean {
    if (this.len + n > this.buf.length) this.flush();
    return n <= this.buf.length;
  }

  bytes(b: Uint8Array): void {
    if (this.room(b.length)) {
      this.buf.set(b, this.len);
      this.len += b.length;
    } else this.writeOut(b);
  }

  /** A string as UTF-8. */
  text(s: string): void {
    if (this.room(3 * s.length)) this.len += this.buf.write(s, this.len, 'utf8');
    else this.writeOut(Buffer.from(s, 'utf8'));
  }

  u8(x: number): void {
    this.room(1);
    this.buf[this.len++] = x;
  }

  u16(x: number): void {
    this.room(2);
    this.len = this.buf.writeUInt16LE(x, this.len);
  }

  u32(x: number): void {
    this.room(4);
    this.len = this.buf.writeUInt32LE(x >>> 0, this.len);
  }

  f64(x: number): void {
    this.room(8);
    this.len = this.buf.writeDoubleLE(x, this.len);
  }

  private flush(): void {
    if (this.len === 0) return;
    this.writeOut(this.buf.subarray(0, this.len));
    this.len = 0;
  }

  private writeOut(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off, this.written + off);
    this.written += b.length;
  }

  /** Everything appended, as one buffer. */
  readAll(): Buffer {
    this.flush();
    const out = Buffer.allocUnsafe(this.written);
    let off = 0;
    while (off < this.written) {
      const n = readSync(this.fd, out, off, this.written - off, off);
      if (n === 0) break;
      off += n;
    }
    return out;
  }

  /** Closes the file and removes its directory. */
  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

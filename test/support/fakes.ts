import type { RandomSource } from "../../shared/domain/random";
import type { Clock } from "../../shared/ports/common";

/** A clock tests can move. */
export class ManualClock implements Clock {
  constructor(private current = new Date("2026-11-23T10:00:00.000Z")) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Deterministic bytes: a counter, so every draw differs; or a fixed sequence to force collisions. */
export class SequenceRandom implements RandomSource {
  private n = 0;
  constructor(private readonly fixed?: Buffer[]) {}
  bytes(size: number): Buffer {
    const next = this.fixed?.[this.n];
    this.n += 1;
    if (next) return Buffer.concat([next, Buffer.alloc(size)]).subarray(0, size);
    const b = Buffer.alloc(size);
    b.writeUInt32BE(this.n, 0);
    return b;
  }
}

import { randomBytes } from "node:crypto";
import type { RandomSource } from "../domain/random";
import type { Clock } from "../ports/common";

export const systemClock: Clock = { now: () => new Date() };

/** node:crypto's CSPRNG; the only source of randomness for IDs, external IDs and key secrets. */
export const cryptoRandom: RandomSource = { bytes: (n) => randomBytes(n) };

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

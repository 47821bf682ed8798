// Random IDs for request IDs and jobs: 32 hex digits, cut from a pool of random bytes filled 256 IDs at a time,
// since asking the system for 16 bytes on every request was a measurable share of the stub's request path.
import { randomBytes, randomUUID } from "node:crypto";

const ID_BYTES = 16;
const POOL_BYTES = ID_BYTES * 256;
let pool = Buffer.alloc(0);
let offset = 0;

export function randomHexId(): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  offset += ID_BYTES;
  return pool.toString("hex", offset - ID_BYTES, offset);
}

/**
 * A random (version 4) UUID as one flat string. crypto.randomUUID's string is twenty-odd pieces joined lazily,
 * about 500 bytes of heap until something reads it whole, and an image keeps its ID for as long as it exists:
 * that was a third of what a retained image cost, and of the collector's work on a create.
 */
export function randomFlatUuid(): string {
  return Buffer.from(randomUUID(), "latin1").toString("latin1");
}

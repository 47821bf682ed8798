// Random IDs for request IDs and jobs: 32 hex digits, cut from a pool of random bytes filled 256 IDs at a time,
// since asking the system for 16 bytes on every request was a measurable share of the stub's request path.
import { randomBytes } from "node:crypto";

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

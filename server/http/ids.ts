// Random IDs for request IDs, jobs and images, cut from a pool of random bytes filled 256 IDs at a time, since
// asking the system for 16 bytes on every request was a measurable share of the stub's request path.
import { randomBytes } from "node:crypto";

const ID_BYTES = 16;
const POOL_BYTES = ID_BYTES * 256;
let pool = Buffer.alloc(0);
let offset = 0;

/** Where the next ID's 16 random bytes start in `pool`. */
function nextRandomBytes(): number {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  offset += ID_BYTES;
  return offset - ID_BYTES;
}

/** 32 hex digits. */
export function randomHexId(): string {
  const start = nextRandomBytes();
  return pool.toString("hex", start, start + ID_BYTES);
}

const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
const UUID_TEXT = Buffer.alloc(36);
const DASH = 0x2d;

/**
 * A random (version 4) UUID as one flat string, written as text into a buffer and read out whole. (crypto.randomUUID's
 * string is twenty-odd pieces joined lazily, about 500 bytes of heap until something reads it whole, and an image
 * keeps its ID for as long as it exists; copying it flat through a Buffer cost more than making it.)
 */
export function randomFlatUuid(): string {
  const start = nextRandomBytes();
  let at = 0;
  for (let i = 0; i < ID_BYTES; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) UUID_TEXT[at++] = DASH;
    let byte = pool[start + i]!;
    // RFC 9562: the version (4) in the high nibble of byte 6, the variant (10xx) in the high bits of byte 8.
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    UUID_TEXT[at++] = HEX_DIGITS[byte >> 4]!;
    UUID_TEXT[at++] = HEX_DIGITS[byte & 0x0f]!;
  }
  return UUID_TEXT.toString("latin1", 0, 36);
}

/**
 * Mulberry32, a 32-bit seeded generator: the same seed draws the same numbers on every machine (the stub's
 * probability fault rules, ims-verify's generated bodies). A few lines; Math.random cannot be seeded, and no
 * dependency is worth it.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

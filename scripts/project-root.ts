// The repository's root, for scripts and tests, in a module of its own: importing it loads nothing else.
import { resolve } from "node:path";

export const projectRoot = resolve(import.meta.dirname, "..");

#!/usr/bin/env node
// The `ims-stub` command: runs server/main.ts through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");

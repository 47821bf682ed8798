import { defineConfig } from "vitest/config";

// Two projects: `core` is `npm test` (the contract, the stub, the client, the docs); `polyglot` is
// `npm run test:polyglot` (clients generated in other languages, Huawei's SDKs, Terraform and Schemathesis), which
// builds with other toolchains and takes minutes, so it is a command of its own that .ci/run also runs.
const shared = { testTimeout: 20_000, hookTimeout: 30_000 };

export default defineConfig({
  test: {
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ["default", "json"],
    outputFile: { json: "test-artifacts/vitest-report.json" },
    projects: [
      {
        test: {
          name: "core",
          include: ["test/**/*.test.ts"],
          exclude: ["test/polyglot/**", "**/node_modules/**"],
          globalSetup: ["test/global-setup.ts"],
          // The type tests alone: `npm run typecheck` checks the whole project already, before vitest.
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.typecheck.json" },
          ...shared,
          // Most of a file's time is spent waiting on something else (a spawned command, npm, Chromium, a socket),
          // so two files run at once on two cores; and a worker keeps its loaded modules from one file to the next
          // (no test mocks a module or changes the process's globals), which saved each file its imports.
          maxWorkers: 2,
          isolate: false,
        },
      },
      {
        test: {
          name: "polyglot",
          include: ["test/polyglot/**/*.test.ts"],
          ...shared,
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});

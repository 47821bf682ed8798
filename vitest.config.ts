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
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
          ...shared,
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

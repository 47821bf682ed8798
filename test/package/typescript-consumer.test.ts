// The package in a TypeScript consumer's project: its declarations type-check without skipLibCheck under
// `nodenext` and under `bundler`, and a body that mixes two sources does not compile.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devVersion, npmInstall, PACKAGE, packedTarball } from "../helpers/consumer.ts";

let consumer: string;
const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: consumer, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const write = (file: string, text: string) => writeFileSync(join(consumer, file), text);

beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), "ims-ts-consumer-"));
  write("package.json", JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2));
  npmInstall(consumer, [packedTarball(), devVersion("typescript"), devVersion("@types/node")]);
}, 240_000);

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

describe("the client and the stub in a TypeScript project", () => {
  it.each([
    ["nodenext", { module: "nodenext", moduleResolution: "nodenext" }],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }],
  ])("type-checks in a TypeScript project under %s, and refuses a mixed body", (_name, resolution) => {
    write(
      "consumer.mts",
      `import { createImsClient, ImsError, type CreateImageBody } from "${PACKAGE}/client";
import type { paths, components } from "${PACKAGE}/types";
import { createApp, serve, type StubApp } from "${PACKAGE}/server";
import { startStub, type TestStub } from "${PACKAGE}/testing";

const body: CreateImageBody = { name: "img", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", tags: ["a.b"] };
// @ts-expect-error a body that mixes a server and a volume is not a CreateImageBody
const mixed: CreateImageBody = { name: "img", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", volume_id: "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30" };
const job: components["schemas"]["Job"]["status"] = "SUCCESS";
type CreatePath = paths["/v2/cloudimages/action"]["post"];
export async function flow(): Promise<string> {
  const app: StubApp = createApp({ progression: "immediate" });
  const server = await serve(app, 0, "127.0.0.1");
  server.close();
  const stub: TestStub = await startStub({ rateLimit: 5, auth: { token: "t" } });
  const { data } = await stub.control.GET("/_stub/requests", { params: { query: { operation: "ShowJob", status: "4xx" } } });
  // @ts-expect-error the journal's entries are typed: no such field
  const wrong: string = data!.requests[0]!.nonexistent;
  await stub.close();
  const ims = createImsClient({ endpoint: "http://127.0.0.1:8080", auth: { ak: "AK", sk: "SK", projectId: "p" } });
  try {
    const { jobId } = await ims.createImageAndWait(body, { maxWaitTime: 60 });
    return jobId + job + String(mixed) + (null as unknown as CreatePath) + wrong;
  } catch (error) {
    return error instanceof ImsError ? error.code : "other";
  }
}
`,
    );
    write(
      `tsconfig.${_name}.json`,
      JSON.stringify({ compilerOptions: { ...resolution, target: "es2022", lib: ["es2023", "dom"], types: ["node"], strict: true, noEmit: true, skipLibCheck: false }, files: ["consumer.mts"] }),
    );
    expect(() => run(join(consumer, "node_modules/.bin/tsc"), ["-p", `tsconfig.${_name}.json`])).not.toThrow();
    // tsc checks the package's declarations and Express's without skipLibCheck: seconds on a quiet machine, more
    // on a busy one.
  }, 90_000);

});

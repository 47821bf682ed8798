// Python clients generated from the contract, type-checked with mypy --strict, run against the stub:
// openapi-python-client (from the 3.1 contract) and openapi-generator's `python` generator (from the 3.0
// rendition: on the 3.1 contract it stops with "Codegen Property not yet supported" at `type: 'null'`).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledContract, contract30, copyInto, here, missingToolchain, report, requireInstalled, run, runLifecycle, scratch, VERSIONS, venvBin } from "./toolchain.ts";

const skip = await missingToolchain("python3", "java");

describe.skipIf(skip)("Python clients", () => {
  it(`openapi-python-client ${VERSIONS.openapiPythonClient}: generate from the 3.1 contract, mypy --strict, run the lifecycle`, async () => {
    const generator = requireInstalled(venvBin("openapi-python-client"), `openapi-python-client ${VERSIONS.openapiPythonClient}`);
    const dir = scratch("python-openapi-python-client");
    const generate = await run(generator, ["generate", "--path", bundledContract, "--output-path", join(dir, "client"), "--config", join(here, "python/openapi-python-client.yaml")]);
    // The only warnings allowed: the Glance JSON-patch media type of the two PATCH operations, which it skips
    // (their application/json body is generated).
    const warnings = generate.stdout.split("\n").filter((line) => line.startsWith("WARNING"));
    expect(warnings.length).toBeLessThanOrEqual(2);
    for (const warning of warnings) expect(warning).toMatch(/^WARNING parsing PATCH \/v2\/(images|cloudimages)\/\{image_id\}/);
    copyInto(join(here, "python/opc_lifecycle.py"), join(dir, "client/opc_lifecycle.py"));
    const check = await run(venvBin("mypy"), ["--strict", "--no-incremental", "opc_lifecycle.py", "ims_opc"], { cwd: join(dir, "client") });
    const { ms } = await runLifecycle(venvBin("python"), ["opc_lifecycle.py"], join(dir, "client"));
    report("openapi-python-client", { generate: generate.ms, "mypy --strict": check.ms, run: ms }, "oneOf bodies are a Union of attrs classes named after the schemas' titles; the Job union is JobInProgress | JobSucceeded | JobFailed, parsed branch by branch; a refused create's parsed is IMSError. Skips application/openstack-images-v2.1-json-patch (its content_type_overrides then writes code that does not import). Generated code passes mypy --strict.");
  });

  it(`openapi-generator ${VERSIONS.openapiGenerator} python: generate from the 3.0 rendition, mypy --strict on the program, run the lifecycle`, async () => {
    const generator = requireInstalled(venvBin("openapi-generator-cli"), `openapi-generator-cli ${VERSIONS.openapiGenerator}`);
    const dir = scratch("python-openapi-generator");
    const generate = await run(generator, [
      "generate", "-i", contract30, "-g", "python", "-o", dir, "--package-name", "ims_oag",
      "--global-property", "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false",
    ]);
    copyInto(join(here, "python/oag_lifecycle.py"), join(dir, "oag_lifecycle.py"));
    // The generated package is not mypy --strict clean (untyped defs), so its errors are not reported; the
    // program's use of its types is checked strictly.
    const check = await run(venvBin("mypy"), ["--strict", "--no-incremental", "--follow-imports=silent", "oag_lifecycle.py"], { cwd: dir });
    const { ms } = await runLifecycle(venvBin("python"), ["oag_lifecycle.py"], dir);
    report("openapi-generator python", { generate: generate.ms, "mypy --strict (program)": check.ms, run: ms }, "oneOf bodies are pydantic wrappers (actual_instance) validated against every branch; the Job union is matched branch by branch (the closed branches and status enums keep it to one); a refused create raises ApiException whose .data is ErrorBody. The generated package itself is not mypy --strict clean.");
  });
});

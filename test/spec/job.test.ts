// The job schema: status and error fields agree, and each example status has the shape the reference gives.
import { describe, expect, it } from "vitest";
import { schemaValidators } from "../../server/contract/spec.ts";

const validateJob = schemaValidators()("Job");

const job = (patch: Record<string, unknown>) => ({
  job_id: "8a12fc664fb4daa3014fb4e581380005",
  job_type: "imsCreateImageByInstance",
  begin_time: "2024-11-06T06:19:43.195Z",
  end_time: "",
  status: "RUNNING",
  error_code: null,
  fail_reason: null,
  entities: { process_percent: 0.5 },
  ...patch,
});

describe("Job", () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ["a running job", {}, true],
    ["a failed job with code and reason", { status: "FAIL", error_code: "IMG.0005", fail_reason: "The ECS does not exist." }, true],
    ["a failed job without a code", { status: "FAIL" }, false],
    ["a successful job with an error code", { status: "SUCCESS", error_code: "IMG.0005", fail_reason: "x" }, false],
    ["an unknown status", { status: "DONE" }, false],
    ["progress above 1", { entities: { process_percent: 1.5 } }, false],
    ["no entities", { entities: undefined }, false],
    ["a sub-job result", { status: "SUCCESS", end_time: "2024-11-06T06:48:16.765Z", entities: { sub_jobs_list: ["a"], sub_jobs_result: [job({ status: "SUCCESS", entities: { image_id: "i" } })] } }, true],
    ["a failed sub-job without its code", { entities: { sub_jobs_result: [job({ status: "FAIL" })] } }, false],
  ])("%s: valid=%s", (_label, patch, valid) => {
    const value = JSON.parse(JSON.stringify(job(patch)));
    expect(validateJob(value), JSON.stringify(validateJob.errors)).toBe(valid);
  });
});

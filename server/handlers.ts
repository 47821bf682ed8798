// The operations of the IMS contract, keyed by operationId. Validation has already happened (in the spec);
// these only do what a schema cannot: derive the job from the body and keep projects apart.
import type { Request, Response } from "express";
import type { components, operations } from "../generated/openapi.js";
import type { Caller } from "./auth.js";
import { checkBeyondSchema, intendedBranch, type Branch } from "./classify.js";
import { ImsError } from "./errors.js";
import { JobStoreFullError, type JobPlan, type JobStore } from "./jobs.js";
import { jobPreferences } from "./prefer.js";
import type { Scenario } from "./scenario.js";

type Schemas = components["schemas"];
type CreateImageBody = Schemas["CreateImageRequestBody"];

export type StubRequest = Request & { caller?: Caller; preferences?: ReadonlyMap<string, string> };
export type Handler = (req: StubRequest, res: Response) => void | Promise<void>;
export type ImsOperationId = keyof operations;

function planFor(branch: Branch, body: CreateImageBody): JobPlan {
  switch (branch) {
    case "CreateSystemImageFromServer": {
      const b = body as Schemas["CreateSystemImageFromServer"];
      return { jobType: "imsCreateImageByInstance", currentTask: "CreateImageByInstanceTask", image: b.name, subJobs: [], sources: [{ kind: "server", id: b.instance_id }] };
    }
    case "CreateDataImagesFromServer": {
      const b = body as Schemas["CreateDataImagesFromServer"];
      return {
        jobType: "imsVolumesToSysDataImagesJob",
        currentTask: "CopyVolumeToImageTask",
        subJobs: b.data_images.map((item) => ({ jobType: "imsCopyVolumeToImageJob", imageName: item.name })),
        sources: b.data_images.map((item) => ({ kind: "volume", id: item.volume_id })),
      };
    }
    case "CreateImageFromFile": {
      const b = body as Schemas["CreateImageFromFile"];
      const dataImages = b.data_images ?? [];
      return {
        jobType: "imsImportImageJob",
        currentTask: "ImportImageTask",
        image: b.name,
        subJobs: dataImages.map((item, i) => ({ jobType: "imsImportDataImageJob", imageName: item.name ?? `${b.name}-data${i + 1}` })),
        sources: [b.image_url, ...dataImages.map((item) => item.image_url)].map((id) => ({ kind: "file", id })),
      };
    }
    case "CreateSystemImageFromVolume": {
      const b = body as Schemas["CreateSystemImageFromVolume"];
      return { jobType: "imsVolumeCreateImageJob", currentTask: "CreateImageByVolumeTask", image: b.name, subJobs: [], sources: [{ kind: "volume", id: b.volume_id }] };
    }
  }
}

const notFound = (jobId: string) => new ImsError("IMG.0121", `No job ${jobId} in this project.`);

export function imsHandlers(jobs: JobStore, scenario: Scenario): Record<ImsOperationId, Handler> {
  return {
    CreateImage(req, res) {
      const body = req.body as CreateImageBody;
      const branch = intendedBranch(body as Record<string, unknown>);
      if (branch instanceof ImsError) throw branch;
      const problem = checkBeyondSchema(body as Record<string, unknown>);
      if (problem) throw problem;
      const plan = planFor(branch, body);
      const behaviour = scenario.decide(plan, jobPreferences(req.preferences ?? new Map()));
      try {
        const jobId = jobs.create(req.caller!.projectId, plan, behaviour);
        res.json({ job_id: jobId } satisfies Schemas["JobCreated"]);
      } catch (error) {
        if (error instanceof JobStoreFullError) throw new ImsError("IMG.0060", error.message);
        throw error;
      }
    },
    ShowJob(req, res) {
      const { project_id: projectId, job_id: jobId } = req.params as { project_id: string; job_id: string };
      const job = projectId === req.caller!.projectId ? jobs.poll(projectId, jobId) : undefined;
      if (!job) throw notFound(jobId);
      res.json(job);
    },
    ShowJobProgress(req, res) {
      const { job_id: jobId } = req.params as { job_id: string };
      const job = jobs.poll(req.caller!.projectId, jobId);
      if (!job) throw notFound(jobId);
      res.json(job);
    },
  };
}

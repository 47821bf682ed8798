// CreateImage and CreateImageInSafeMode (the v2.1 path of the same body): the body's image source decides the
// job; a schema cannot say the rules checkBeyondSchema holds.
import type { components } from "../../../generated/openapi.js";
import type { Handler } from "../../http/handler.js";
import type { ImsBackend } from "../backend.js";
import { ImsError } from "../errors.js";
import { JobStoreFullError, type JobPlan } from "../jobs/store.js";
import { jobPreferences } from "../prefer.js";
import { checkBeyondSchema, intendedBranch, type Branch } from "./classify.js";

type Schemas = components["schemas"];
type CreateImageBody = Schemas["CreateImageRequestBody"];

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

export function createImageHandlers(backend: ImsBackend): Record<"CreateImage" | "CreateImageInSafeMode", Handler> {
  const { jobs, scenario } = backend;
  const CreateImage: Handler = (req, res) => {
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
  };
  return { CreateImage, CreateImageInSafeMode: CreateImage };
}

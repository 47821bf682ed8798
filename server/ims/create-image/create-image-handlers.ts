// CreateImage and CreateImageInSafeMode (the v2.1 path of the same body): the body's image source decides the
// job and the images it makes, which exist from the create on; a schema cannot say the rules checkBeyondSchema holds.
import type { components } from "../../../generated/openapi.js";
import type { Handler } from "../../http/handler.js";
import type { ImsBackend } from "../backend.js";
import { ImsError } from "../errors.js";
import { ImageQuotaError } from "../images/store.js";
import { JobStoreFullError, type JobPlan } from "../jobs/store.js";
import { jobPreferences } from "../prefer.js";
import { checkBeyondSchema, intendedBranch, type Branch } from "./classify.js";
import { imagesFor, type NewImage } from "./new-images.js";

type Schemas = components["schemas"];
type CreateImageBody = Schemas["CreateImageRequestBody"];

const JOBS: Record<Branch, { jobType: string; currentTask: string; subJobType?: string; source: (body: Record<string, unknown>) => JobPlan["sources"] }> = {
  CreateSystemImageFromServer: {
    jobType: "imsCreateImageByInstance",
    currentTask: "CreateImageByInstanceTask",
    source: (b) => [{ kind: "server", id: (b as Schemas["CreateSystemImageFromServer"]).instance_id }],
  },
  CreateDataImagesFromServer: {
    jobType: "imsVolumesToSysDataImagesJob",
    currentTask: "CopyVolumeToImageTask",
    subJobType: "imsCopyVolumeToImageJob",
    source: (b) => (b as Schemas["CreateDataImagesFromServer"]).data_images.map((item) => ({ kind: "volume", id: item.volume_id })),
  },
  CreateImageFromFile: {
    jobType: "imsImportImageJob",
    currentTask: "ImportImageTask",
    subJobType: "imsImportDataImageJob",
    source: (b) => {
      const file = b as Schemas["CreateImageFromFile"];
      return [file.image_url, ...(file.data_images ?? []).map((item) => item.image_url)].map((id) => ({ kind: "file", id }));
    },
  },
  CreateSystemImageFromVolume: {
    jobType: "imsVolumeCreateImageJob",
    currentTask: "CreateImageByVolumeTask",
    source: (b) => [{ kind: "volume", id: (b as Schemas["CreateSystemImageFromVolume"]).volume_id }],
  },
};

function planFor(branch: Branch, body: Record<string, unknown>, images: { system?: NewImage; data: NewImage[] }): JobPlan {
  const job = JOBS[branch];
  return {
    jobType: job.jobType,
    currentTask: job.currentTask,
    image: images.system?.attributes.name,
    imageId: images.system?.id,
    subJobs: images.data.map((image) => ({ jobType: job.subJobType!, imageName: image.attributes.name, imageId: image.id })),
    sources: job.source(body),
  };
}

export function createImageHandlers(backend: ImsBackend): Record<"CreateImage" | "CreateImageInSafeMode", Handler> {
  const { jobs, images, scenario } = backend;
  const CreateImage: Handler = (req, res) => {
    const body = req.body as CreateImageBody & Record<string, unknown>;
    const branch = intendedBranch(body);
    if (branch instanceof ImsError) throw branch;
    const problem = checkBeyondSchema(body);
    if (problem) throw problem;
    const projectId = req.caller!.projectId;
    const made = imagesFor(branch, body, projectId);
    const all = made.system ? [made.system, ...made.data] : made.data;
    try {
      images.checkRoomFor(projectId, all.length);
      const plan = planFor(branch, body, made);
      const behaviour = scenario.decide(plan, jobPreferences(req.preferences ?? new Map()));
      const { jobId, progress } = jobs.create(projectId, plan, behaviour);
      images.addCreated(projectId, all, progress);
      res.locals.jobId = jobId;
      res.json({ job_id: jobId } satisfies Schemas["JobCreated"]);
    } catch (error) {
      if (error instanceof JobStoreFullError) throw new ImsError("IMG.0060", error.message);
      if (error instanceof ImageQuotaError) throw new ImsError("IMG.0015", error.message);
      throw error;
    }
  };
  return { CreateImage, CreateImageInSafeMode: CreateImage };
}

// ShowJob and ShowJobProgress: a job is its project's own; another project's job is as unknown as one that never was.
import type { Handler } from "../../http/handler.js";
import type { ImsBackend } from "../backend.js";
import { ImsError } from "../errors.js";

const notFound = (jobId: string) => new ImsError("IMG.0121", `No job ${jobId} in this project.`);

export function jobHandlers({ jobs }: ImsBackend): Record<"ShowJob" | "ShowJobProgress", Handler> {
  return {
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

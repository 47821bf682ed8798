// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
const job = await ims.showJob(jobId); // GET /v1/{project_id}/jobs/{job_id}
console.log(job.status, job.entities.process_percent);

// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
const job = await ims.showJobProgress(jobId); // GET /v1/cloudimages/job/{job_id}
console.log(job.status, job.entities.current_task);

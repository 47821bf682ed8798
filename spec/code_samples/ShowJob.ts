const job = await ims.showJob(jobId); // GET /v1/{project_id}/jobs/{job_id}
console.log(job.status, job.entities.process_percent);

// Everything a run created is deleted at its end, also after a failed check or an interruption: every job a
// create answered (the run's own, or one a lax provider accepted) is followed to its end and its images deleted.
// What cannot be deleted is named by ID.
import { imagesOfJob, type Run } from "./run.js";

export async function cleanUp(run: Run, deadlineMs: number): Promise<string[]> {
  run.cleaningUp = true;
  const leftBehind: string[] = [];
  const until = Date.now() + deadlineMs;
  const { provider } = run;
  const jobs = [...new Set(provider.startedJobs)];
  await Promise.all(
    jobs.map(async (jobId) => {
      const end = await run.followJob(jobId, Math.max(until - Date.now(), 0));
      if ("timedOut" in end) {
        leftBehind.push(`job ${jobId}: still not ended when the clean-up's deadline passed; its image, if any, was not deleted`);
        return;
      }
      if (end.status !== "SUCCESS") return;
      for (const imageId of imagesOfJob(end.job)) {
        const answer = await provider.request("DELETE", `/v2/images/${imageId}`);
        // 404: already gone (the run deleted it, as it deletes every image it checks).
        if (answer.status !== 204 && answer.status !== 404) {
          leftBehind.push(`image ${imageId} (job ${jobId}): DELETE answered ${answer.failure ?? `${answer.status} ${answer.text.slice(0, 120)}`}`);
        }
      }
    }),
  );
  return leftBehind;
}

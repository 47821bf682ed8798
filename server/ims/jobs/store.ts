// In-memory jobs. A job's state is derived from its clock (or its poll count) when it is read, so there are
// no timers to run or cancel, and tests can drive time through an injected clock.
import type { components } from "../../../generated/openapi.js";
import { documentedMessage } from "../errors.js";
import { randomHexId as newJobId } from "../../http/ids.js";

export type Job = components["schemas"]["Job"];
export type JobStatus = Job["status"];
type SubJobResult = components["schemas"]["SubJobResult"];
export type Progression = "timed" | "immediate" | "per-poll";
export type Outcome = { status: "SUCCESS" } | { status: "FAIL"; errorCode: string; failReason: string };

/** What a create asks the job to do: its type and the images it makes. */
export type JobPlan = {
  jobType: string;
  currentTask: string;
  /** The name of the single image of a system disk job, if any. */
  image?: string;
  /** That image's ID, given by the image store. */
  imageId?: string;
  /** One sub-job per data disk image, with the image it makes. */
  subJobs: { jobType: string; imageName: string; imageId: string }[];
  /** Server, volume and file IDs the body names, for outcome rules and the world. */
  sources: { kind: "server" | "volume" | "file"; id: string }[];
};

export type JobBehaviour = { outcome: Outcome; progression: Progression; durationMs: number };

/**
 * A retained job, flat: a full store holds 10,000 of them and replaces them as fast as creates come, so every
 * object a job keeps is work for the garbage collector. What a read shows of the plan is kept (its sources
 * served the decision at create), and jobs that succeed share one outcome.
 */
type StoredJob = Pick<JobPlan, "jobType" | "currentTask" | "image" | "imageId"> &
  JobBehaviour & {
  id: string;
  projectId: string;
  createdAt: number;
  /** `begin_time`, formatted on the first read (a job is read many times; some never). */
  beginTime: string | undefined;
  /** With per-poll progression, when the poll that ended the job happened. */
  endedAt?: number;
  polls: number;
  subJobs: readonly { id: string; jobType: string; imageName: string; imageId: string }[];
};

const SUCCEEDED: Outcome = Object.freeze({ status: "SUCCESS" });
const NO_SUB_JOBS: StoredJob["subJobs"] = Object.freeze([]);

/** Reads of a per-poll job: INIT, RUNNING at 1/3, RUNNING at 2/3, then final. */
const PER_POLL_STEPS = [0, 1 / 3, 2 / 3] as const;
const INIT_SHARE = 0.1;

const iso = (ms: number) => new Date(ms).toISOString();
const round2 = (n: number) => Math.round(n * 100) / 100;

export class JobStoreFullError extends Error {}

/** Where a job is: still going, or ended, and when. */
export type JobProgress = { status: "INIT" | "RUNNING" } | { status: "SUCCESS" | "FAIL"; endedAt: number };

export class JobStore {
  private readonly jobs = new Map<string, StoredJob>();
  /**
   * Job IDs oldest first, from `head` on. Eviction takes from the front: walking the Map from its start would pass
   * over every slot its deletions left behind, on every create of a full store.
   */
  private order: string[] = [];
  private head = 0;

  constructor(
    readonly maxJobs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.jobs.size;
  }

  clear(): void {
    this.jobs.clear();
    this.order = [];
    this.head = 0;
  }

  /**
   * Stores a new job, evicting the oldest finished job when full; refuses when every retained job is unfinished.
   * Returns its ID, and how far it has come when asked (what its images' status follows; it outlives eviction).
   */
  create(projectId: string, plan: JobPlan, behaviour: JobBehaviour): { jobId: string; progress: () => JobProgress } {
    if (this.jobs.size >= this.maxJobs) this.evictOldestFinished();
    const createdAt = this.now();
    const job: StoredJob = {
      id: newJobId(),
      projectId,
      jobType: plan.jobType,
      currentTask: plan.currentTask,
      // Every field set on every job, undefined or not: one shape for all of them.
      image: plan.image,
      outcome: behaviour.outcome.status === "SUCCESS" ? SUCCEEDED : behaviour.outcome,
      progression: behaviour.progression,
      durationMs: behaviour.durationMs,
      createdAt,
      beginTime: undefined,
      polls: 0,
      subJobs: plan.subJobs.length === 0 ? NO_SUB_JOBS : plan.subJobs.map((sub) => ({ id: newJobId(), ...sub })),
      imageId: plan.imageId,
      endedAt: undefined,
    };
    this.jobs.set(job.id, job);
    this.order.push(job.id);
    return { jobId: job.id, progress: () => this.outcomeSoFar(job) };
  }

  private evictOldestFinished(): void {
    // Jobs nearly always end in the order they started, so the oldest retained job is the one to go.
    while (this.head < this.order.length) {
      const oldest = this.jobs.get(this.order[this.head]!);
      if (oldest && this.progress(oldest).status !== "FINAL") break;
      this.head++;
      if (oldest) {
        this.jobs.delete(oldest.id);
        this.compactOrder();
        return;
      }
    }
    // The oldest is still running (it was given a longer duration): the oldest finished one after it goes.
    for (const job of this.jobs.values()) {
      if (this.progress(job).status === "FINAL") {
        this.jobs.delete(job.id);
        this.compactOrder();
        return;
      }
    }
    throw new JobStoreFullError(`all ${this.maxJobs} retained jobs are still running`);
  }

  /** Drops the IDs eviction has passed (and those of jobs it took from the middle), now and then. */
  private compactOrder(): void {
    if (this.head >= 1024 && this.head * 2 >= this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    if (this.order.length - this.head > 2 * this.maxJobs) {
      this.order = [...this.jobs.keys()];
      this.head = 0;
    }
  }

  /** The job as its owner sees it, counting the read as a poll; undefined when it is another project's or unknown. */
  poll(projectId: string, jobId: string): Job | undefined {
    const job = this.jobs.get(jobId);
    if (!job || job.projectId !== projectId) return undefined;
    job.polls += 1;
    return this.view(job);
  }

  /** Every job, oldest first, without counting a poll. */
  list(): { project_id: string; job: Job; polls: number; outcome: "SUCCESS" | "FAIL"; progression: Progression }[] {
    return [...this.jobs.values()].map((job) => ({
      project_id: job.projectId,
      job: this.view(job),
      polls: job.polls,
      outcome: job.outcome.status,
      progression: job.progression,
    }));
  }

  private outcomeSoFar(job: StoredJob): JobProgress {
    const { status, endedAt } = this.progress(job);
    return status === "FINAL" ? { status: job.outcome.status, endedAt: endedAt! } : { status };
  }

  private progress(job: StoredJob): { status: "INIT" | "RUNNING" | "FINAL"; percent: number; endedAt?: number } {
    const { progression, durationMs } = job;
    if (progression === "immediate" || (progression === "timed" && durationMs === 0)) {
      return { status: "FINAL", percent: 1, endedAt: job.createdAt };
    }
    if (progression === "per-poll") {
      const step = PER_POLL_STEPS[job.polls - 1];
      if (job.polls === 0 || step === 0) return { status: "INIT", percent: 0 };
      if (step !== undefined) return { status: "RUNNING", percent: round2(step) };
      job.endedAt ??= this.now();
      return { status: "FINAL", percent: 1, endedAt: job.endedAt };
    }
    const share = (this.now() - job.createdAt) / durationMs;
    if (share >= 1) return { status: "FINAL", percent: 1, endedAt: job.createdAt + durationMs };
    if (share < INIT_SHARE) return { status: "INIT", percent: 0 };
    return { status: "RUNNING", percent: round2(share) };
  }

  private view(job: StoredJob): Job {
    job.beginTime ??= iso(job.createdAt);
    const { status, percent, endedAt } = this.progress(job);
    const { outcome } = job;
    const finalStatus: JobStatus = status === "FINAL" ? outcome.status : status;
    const failed = outcome.status === "FAIL" && status === "FINAL" ? outcome : undefined;
    // The status with its error fields: strings exactly on FAIL, as each of the contract's job shapes says.
    const outcomeFields = {
      status: finalStatus,
      error_code: failed ? failed.errorCode : null,
      fail_reason: failed ? failed.failReason : null,
    };
    const base = {
      job_id: job.id,
      job_type: job.jobType,
      begin_time: job.beginTime,
      end_time: endedAt === undefined ? "" : iso(endedAt),
      ...outcomeFields,
    };
    const entities: Job["entities"] = {
      ...(job.image !== undefined && { image_name: job.image }),
      current_task: status === "INIT" ? "" : job.currentTask,
      process_percent: failed ? 0 : percent,
    };
    if (finalStatus === "SUCCESS" && job.imageId !== undefined) entities.image_id = job.imageId;
    if (job.subJobs.length > 0) {
      entities.sub_jobs_list = job.subJobs.map((sub) => sub.id);
      if (status === "FINAL") {
        entities.sub_jobs_result = job.subJobs.map(
          (sub) =>
            ({
              job_id: sub.id,
              job_type: sub.jobType,
              begin_time: base.begin_time,
              end_time: base.end_time,
              ...outcomeFields,
              entities: failed ? {} : { image_name: sub.imageName, image_id: sub.imageId },
            }) as SubJobResult,
        );
      }
    }
    return { ...base, entities } as Job;
  }
}

export function failOutcome(errorCode: string, failReason?: string): Outcome {
  return { status: "FAIL", errorCode, failReason: failReason ?? documentedMessage(errorCode) ?? `The job failed with ${errorCode}.` };
}

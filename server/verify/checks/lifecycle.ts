// The image's life as state, checked by what a correct provider must do, not only by what it answers: every
// create's job ends in SUCCESS and its image is what the body asked for; paging walks every image once in the
// documented order; the quota's `used` moves with creates and deletes; updates answer the image after the change
// on both paths and both content types; tag changes are what is read back; another project's path answers
// nothing of this project's; an image whose job runs cannot be deleted; a deleted image is gone everywhere.
// Runs only with --allow-create (it creates billable images at a real cloud) and deletes all it made.
import { randomBytes } from "node:crypto";
import type { Exchange } from "../provider.js";
import { body, imagesIn, quotaUsed, tagsIn, type Image, type Tag } from "./answers.js";
import { errorCode, imagesOfJob, type Run } from "../run.js";
import { checkNegativeBodies } from "./negative.js";
import { checkUpdateRules } from "./refusals.js";
import { checkIsolation } from "./isolation.js";

type Created = { label: string; operationId: string; jobId?: string; images: string[] };

const JSON_PATCH = "application/openstack-images-v2.1-json-patch";
const STATE_RULE = {
  job: "a create's job ends in SUCCESS and names its image (entities.image_id, or each sub-job's for data images)",
  image: "ListImages ?id= and GlanceShowImage show the image a create made, active, as its body asked",
  quota: "ShowImageQuota's `used` counts the project's private images: up by one per image made, down by one per image deleted",
  paging: "ListImages with limit and marker walks every image once, in the order sort_key and sort_dir ask; the marker is the last image of the page before",
  update: "UpdateImage and GlanceUpdateImage answer the image after the change (both content types), and the change is what is read back",
  tags: "BatchAddOrDeleteTags: create adds a tag or replaces its value, delete removes it; ListImageTags reads back exactly that",
  running: "an image whose job has not ended cannot be deleted: 400 IMG.0090, and the image stays",
  deleted: "a deleted image is gone: GlanceShowImage and a second delete answer 404 IMG.0121, ListImages ?id= finds nothing",
} as const;

const sameTags = (a: Tag[], b: Tag[]) => JSON.stringify([...a].sort((x, y) => x.key.localeCompare(y.key))) === JSON.stringify([...b].sort((x, y) => x.key.localeCompare(y.key)));

export async function checkImageLife(run: Run, negativesPerOperation: number): Promise<void> {
  const name = `ims_verify_${randomBytes(4).toString("hex")}`;
  const { instanceId, volumeId, imageUrl } = run.settings.sources;
  // At the stub, per-poll jobs stay running until polled: the delete of a running image is then always checked.
  const perPoll = run.settings.stub ? { Prefer: "job-progression=per-poll" } : undefined;
  const project = run.provider.projectId;

  const quotaBefore = quotaUsed(await run.send("GET", "/v1/cloudimages/quota"));

  /** Creates one image (or data images) and follows its job to its end. */
  async function create(label: string, operationId: "CreateImage" | "CreateImageInSafeMode", payload: Record<string, unknown>, beforeJobEnds?: () => Promise<void>): Promise<Created> {
    const path = operationId === "CreateImage" ? "/v2/cloudimages/action" : "/v2.1/cloudimages/action";
    const answer = await run.send("POST", path, { body: payload, ...(perPoll && { headers: perPoll }) });
    const jobId = body(answer)?.job_id;
    if (!run.hold("state", `${label}: the create is accepted with a job`, STATE_RULE.job, answer.status === 200 && typeof jobId === "string", `expected 200 with a job_id, got ${answer.status} ${errorCode(answer) ?? ""}`, answer)) {
      return { label, operationId, images: [] };
    }
    await beforeJobEnds?.();
    const end = await run.followJob(jobId as string);
    if ("timedOut" in end) {
      run.fail("state", `${label}: the job ends`, STATE_RULE.job, `job ${jobId} had not ended after --job-timeout (${run.settings.jobTimeoutMs / 1000} s, ${end.polls} polls)`, end.last, "ShowJob");
      return { label, operationId, jobId: jobId as string, images: [] };
    }
    const images = imagesOfJob(end.job);
    run.hold("state", `${label}: the job ends in SUCCESS with its image`, STATE_RULE.job, end.status === "SUCCESS" && images.length > 0, `job ${jobId} ended ${end.status}${end.job.fail_reason ? ` (${end.job.fail_reason})` : ""} naming ${images.length} images`, undefined);
    return { label, operationId, jobId: jobId as string, images: end.status === "SUCCESS" ? images : [] };
  }

  /** While a job runs, its image (found by the run's unique name) must refuse a delete. */
  async function deleteWhileRunning(): Promise<void> {
    const listed = await run.send("GET", `/v2/cloudimages?name=${name}&limit=100`);
    const running = imagesIn(listed).find((image) => image.status !== "active");
    if (!running) {
      run.skip("state", "an image whose job runs cannot be deleted", STATE_RULE.running, "not exercised: no image of this run was listed before its job ended", "GlanceDeleteImage");
      return;
    }
    await run.expect("state", "an image whose job runs cannot be deleted", STATE_RULE.running, "DELETE", `/v2/images/${running.id}`, {}, { status: 400, code: "IMG.0090" });
  }

  // Distinct sources at once; the same sources again only after those jobs ended (a real IMS may refuse a second
  // image of a server that is still being imaged).
  const firstWave = await Promise.all([
    create("a system image from a server (v2)", "CreateImage", { name, instance_id: instanceId, description: "ims-verify", min_ram: 1024, max_ram: 4096, tags: ["ims_verify.created"] }, deleteWhileRunning),
    create("an image from an OBS file (v2)", "CreateImage", { name, image_url: imageUrl, min_disk: 40, os_version: "CentOS 7.0 64bit" }),
    create("a system image from a volume (v2)", "CreateImage", { name, volume_id: volumeId, os_version: "CentOS 7.0 64bit" }),
  ]);
  // A second apart, so that created_at orders the waves whatever its resolution: paging's order is then checked
  // both ways.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const secondWave = await Promise.all([
    create("a system image from a server (v2.1)", "CreateImageInSafeMode", { name, instance_id: instanceId }),
    create("data images from a server's volume (v2)", "CreateImage", { data_images: [{ name, volume_id: volumeId, description: "ims-verify" }] }),
  ]);
  const created = [...firstWave, ...secondWave];
  const ids = created.flatMap((c) => c.images);
  if (ids.length === 0) return;

  // Each image as its body asked, the same in the list and alone.
  for (const { label, images } of created) {
    for (const id of images) {
      const listed = await run.send("GET", `/v2/cloudimages?id=${id}`);
      const found = imagesIn(listed);
      const image = found[0];
      run.hold("state", `${label}: ListImages ?id= finds exactly it, active, named as asked`, STATE_RULE.image, found.length === 1 && image?.id === id && image.status === "active" && image.name === name, `?id=${id} listed ${found.length} images${image ? ` (first: ${image.id}, ${image.status}, ${image.name})` : ""}`, listed);
      const shown = await run.send("GET", `/v2/images/${id}`);
      const alone = body(shown) as Image | undefined;
      const differs = ["id", "name", "status", "min_ram", "min_disk", "visibility", "owner"].filter((field) => image && JSON.stringify(alone?.[field]) !== JSON.stringify(image[field]));
      run.hold("state", `${label}: GlanceShowImage shows what ListImages lists`, STATE_RULE.image, shown.status === 200 && differs.length === 0, shown.status === 200 ? `the two differ in ${differs.join(", ")}` : `GlanceShowImage answered ${shown.status}`, shown);
    }
  }
  const [serverImage] = firstWave[0]!.images;
  if (serverImage) {
    const shown = body(await run.send("GET", `/v2/images/${serverImage}`)) as Image | undefined;
    run.hold("state", "the image keeps the create body's min_ram and description", STATE_RULE.image, shown?.min_ram === 1024 && shown?.__description === "ims-verify", `min_ram ${JSON.stringify(shown?.min_ram)}, __description ${JSON.stringify(shown?.__description)}`);
    const tags = await run.send("GET", `/v2/${project}/images/${serverImage}/tags`);
    run.hold("state", "the create body's tags are the image's tags", STATE_RULE.tags, tagsIn(tags).some((tag) => tag.key === "ims_verify" && tag.value === "created"), `ListImageTags answered ${tags.text.slice(0, 200)}`, tags);
  }

  const serverJob = firstWave[0]!.jobId;
  if (serverJob && serverImage) {
    const progress = await run.send("GET", `/v1/cloudimages/job/${serverJob}`);
    const job = body(progress) ?? {};
    run.hold("state", "ShowJobProgress shows the ended job as ShowJob does", STATE_RULE.job, progress.status === 200 && job.status === "SUCCESS" && imagesOfJob(job).includes(serverImage), `answered ${progress.status} with status ${JSON.stringify(job.status)} and images ${imagesOfJob(job).join(", ")}`, progress);
  }

  // The quota counts what was made.
  const quotaAfterCreates = quotaUsed(await run.send("GET", "/v1/cloudimages/quota"));
  if (quotaBefore === undefined || quotaAfterCreates === undefined) run.fail("state", "the quota's used counts the images made", STATE_RULE.quota, "ShowImageQuota gave no numeric `used` for type image", undefined, "ShowImageQuota");
  else run.hold("state", "the quota's used counts the images made", STATE_RULE.quota, quotaAfterCreates === quotaBefore + ids.length, `used was ${quotaBefore}, then ${quotaAfterCreates} after ${ids.length} images were made`);

  await checkPaging(run, name, ids);
  if (serverImage) await checkUpdates(run, serverImage, name);
  const fileImage = firstWave[1]!.images[0];
  if (fileImage) await checkTags(run, fileImage);
  if (fileImage && firstWave[0]!.jobId) await checkIsolation(run, fileImage, firstWave[0]!.jobId);
  if (serverImage) await checkNegativesChangeNothing(run, serverImage, negativesPerOperation);

  // Deleted: gone from every read, and from the quota.
  for (const id of ids) {
    const deleted = await run.send("DELETE", `/v2/images/${id}`);
    run.hold("state", "a delete answers 204 without a body", STATE_RULE.deleted, deleted.status === 204 && deleted.text === "" && !deleted.contentLength, `DELETE answered ${deleted.status} with ${Math.max(deleted.text.length, deleted.contentLength ?? 0)} bytes`, deleted);
    const shown = await run.send("GET", `/v2/images/${id}`);
    run.hold("state", "a deleted image is gone from GlanceShowImage (404 IMG.0121)", STATE_RULE.deleted, shown.status === 404 && errorCode(shown) === "IMG.0121", `GlanceShowImage answered ${shown.status} ${errorCode(shown) ?? ""}`, shown);
    const listed = await run.send("GET", `/v2/cloudimages?id=${id}`);
    run.hold("state", "a deleted image is gone from ListImages ?id=", STATE_RULE.deleted, listed.status === 200 && imagesIn(listed).length === 0, `ListImages ?id= answered ${listed.status} with ${imagesIn(listed).length} images`, listed);
    const again = await run.send("DELETE", `/v2/images/${id}`);
    run.hold("state", "a second delete answers 404 IMG.0121", STATE_RULE.deleted, again.status === 404 && errorCode(again) === "IMG.0121", `the second DELETE answered ${again.status} ${errorCode(again) ?? ""}`, again);
  }
  const byName = await run.send("GET", `/v2/cloudimages?name=${name}&limit=100`);
  run.hold("state", "deleted images are gone from the list by name", STATE_RULE.deleted, byName.status === 200 && imagesIn(byName).length === 0, `ListImages ?name= still lists ${imagesIn(byName).length} images`, byName);
  const quotaAfterDeletes = quotaUsed(await run.send("GET", "/v1/cloudimages/quota"));
  if (quotaBefore !== undefined && quotaAfterDeletes !== undefined) {
    run.hold("state", "the quota's used falls back after the deletes", STATE_RULE.quota, quotaAfterDeletes === quotaBefore, `used was ${quotaBefore} before the run, ${quotaAfterDeletes} after its images were deleted`);
  }
}

/** Walks the run's images (by their unique name) two at a time, both ways; the walk must be the whole list, once, in order. */
async function checkPaging(run: Run, name: string, ids: readonly string[]): Promise<void> {
  const all = await run.send("GET", `/v2/cloudimages?name=${name}&limit=100`);
  const listed = imagesIn(all).map((image) => image.id);
  run.hold("state", "ListImages ?name= lists every image of the run once", STATE_RULE.paging, listed.length === ids.length && ids.every((id) => listed.includes(id)), `listed ${listed.length} (${listed.join(", ")}) for ${ids.length} made (${ids.join(", ")})`, all);
  for (const direction of ["asc", "desc"] as const) {
    const walked: Image[] = [];
    let marker: string | undefined;
    let problem: string | undefined;
    let last: Exchange | undefined;
    for (let page = 0; page <= ids.length + 1; page++) {
      last = await run.send("GET", `/v2/cloudimages?name=${name}&limit=2&sort_key=created_at&sort_dir=${direction}${marker ? `&marker=${marker}` : ""}`);
      const images = imagesIn(last);
      if (last.status !== 200) problem = `page ${page + 1} answered ${last.status} ${errorCode(last) ?? ""}`;
      else if (images.length > 2) problem = `page ${page + 1} holds ${images.length} images for limit=2`;
      if (problem || images.length === 0) break;
      walked.push(...images);
      marker = images.at(-1)!.id;
    }
    const walkedIds = walked.map((image) => image.id);
    const times = walked.map((image) => Date.parse(image.created_at ?? ""));
    const ordered = times.every((time, i) => i === 0 || (direction === "asc" ? time >= times[i - 1]! : time <= times[i - 1]!));
    problem ??=
      new Set(walkedIds).size !== walkedIds.length
        ? `the walk repeats images: ${walkedIds.join(", ")}`
        : walkedIds.length !== ids.length || !ids.every((id) => walkedIds.includes(id))
          ? `the walk met ${walkedIds.length} of the ${ids.length} images`
          : !ordered
            ? `created_at is not ${direction === "asc" ? "ascending" : "descending"}: ${walked.map((image) => image.created_at).join(", ")}`
            : undefined;
    run.hold("state", `paging with limit=2 and marker, sort_dir=${direction}, walks every image once in order`, STATE_RULE.paging, problem === undefined, problem ?? "", last);
  }
}

async function checkUpdates(run: Run, imageId: string, name: string): Promise<void> {
  const changes: [string, string, string | undefined, Record<string, unknown>[], string, unknown][] = [
    ["UpdateImage", `/v2/cloudimages/${imageId}`, "application/json", [{ op: "replace", path: "/name", value: `${name}_u1` }], "name", `${name}_u1`],
    ["UpdateImage", `/v2/cloudimages/${imageId}`, JSON_PATCH, [{ op: "replace", path: "/__description", value: "ims-verify updated" }], "__description", "ims-verify updated"],
    ["GlanceUpdateImage", `/v2/images/${imageId}`, JSON_PATCH, [{ op: "replace", path: "/min_ram", value: 2048 }], "min_ram", 2048],
    ["GlanceUpdateImage", `/v2/images/${imageId}`, "application/json", [{ op: "replace", path: "/name", value: name }], "name", name],
  ];
  for (const [operationId, path, contentType, patch, field, value] of changes) {
    const answer = await run.send("PATCH", path, { body: patch, ...(contentType && { contentType }) });
    const updated = body(answer) as Image | undefined;
    const shown = body(await run.send("GET", `/v2/images/${imageId}`)) as Image | undefined;
    const what = `${operationId} (${contentType}) of ${field}`;
    run.hold("state", `${what}: the answer is the image after the change`, STATE_RULE.update, answer.status === 200 && updated?.id === imageId && JSON.stringify(updated?.[field]) === JSON.stringify(value), `answered ${answer.status} with ${field} ${JSON.stringify(updated?.[field])}, asked ${JSON.stringify(value)}`, answer);
    run.hold("state", `${what}: the change is what is read back`, STATE_RULE.update, JSON.stringify(shown?.[field]) === JSON.stringify(value), `GlanceShowImage then shows ${field} ${JSON.stringify(shown?.[field])}, asked ${JSON.stringify(value)}`, answer);
  }
}

async function checkTags(run: Run, imageId: string): Promise<void> {
  const path = `/v2/${run.provider.projectId}/images/${imageId}/tags`;
  const read = async () => tagsIn(await run.send("GET", path));
  const before = await read();
  const steps: [string, { action: string; tags: Tag[] }, (tags: Tag[]) => Tag[]][] = [
    ["add two tags", { action: "create", tags: [{ key: "ims_verify_a", value: "1" }, { key: "ims_verify_b", value: "2" }] }, (tags) => [...tags, { key: "ims_verify_a", value: "1" }, { key: "ims_verify_b", value: "2" }]],
    ["replace a tag's value", { action: "create", tags: [{ key: "ims_verify_a", value: "3" }] }, (tags) => tags.map((tag) => (tag.key === "ims_verify_a" ? { ...tag, value: "3" } : tag))],
    ["delete a tag", { action: "delete", tags: [{ key: "ims_verify_b", value: "2" }] }, (tags) => tags.filter((tag) => tag.key !== "ims_verify_b")],
  ];
  let expected = before;
  for (const [what, request, change] of steps) {
    const answer = await run.send("POST", `${path}/action`, { body: request });
    run.hold("state", `tags: ${what} answers 204 without a body`, STATE_RULE.tags, answer.status === 204 && answer.text === "" && !answer.contentLength, `answered ${answer.status} with ${Math.max(answer.text.length, answer.contentLength ?? 0)} bytes`, answer);
    expected = change(expected);
    const now = await read();
    run.hold("state", `tags: ${what} is what ListImageTags reads back`, STATE_RULE.tags, sameTags(now, expected), `read back ${JSON.stringify(now)}, expected ${JSON.stringify(expected)}`, answer);
  }
  await run.expect("refusal", "a tag key given twice in one request is refused", "BatchAddOrDeleteTags: keys are unique within one request (IMG.0115)", "POST", `${path}/action`, { body: { action: "create", tags: [{ key: "ims_verify_c", value: "1" }, { key: "ims_verify_c", value: "2" }] } }, { status: 400, code: "IMG.0115" });
  const after = await read();
  run.hold("state", "tags: a refused request changes nothing", STATE_RULE.tags, sameTags(after, expected), `read back ${JSON.stringify(after)}, expected ${JSON.stringify(expected)}`);
}

/** Spoiled bodies sent to an image of the run: each refused with 400, and the image unchanged after them all. */
async function checkNegativesChangeNothing(run: Run, imageId: string, perOperation: number): Promise<void> {
  const snapshot = async () => {
    const image = body(await run.send("GET", `/v2/images/${imageId}`)) as Image | undefined;
    const tags = tagsIn(await run.send("GET", `/v2/${run.provider.projectId}/images/${imageId}/tags`));
    const { updated_at: _updated, ...rest } = image ?? { id: "" };
    return JSON.stringify({ rest, tags: [...tags].sort((a, b) => a.key.localeCompare(b.key)) });
  };
  const before = await snapshot();
  await checkUpdateRules(run, imageId);
  await checkNegativeBodies(run, perOperation, imageId);
  const after = await snapshot();
  run.hold("negative", "refused bodies change nothing of the image", "a refused request changes nothing: the image and its tags read the same after every refused update and tag request", before === after, `the image or its tags changed: before ${before.slice(0, 300)}, after ${after.slice(0, 300)}`);
}

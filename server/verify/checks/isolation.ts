// Isolation: another project's path never answers this project's job, image or tags (and changes nothing);
// ListImages never lists another project's private image; another owner's public image cannot be changed or
// deleted by this project.
import type { Run } from "../run.js";
import { tagsIn } from "./answers.js";
import { otherProjectId } from "./samples.js";

const RULE = "a path with another project's ID never answers this project's job, image or tags, and changes nothing";

export async function checkIsolation(run: Run, imageId: string, jobId: string): Promise<void> {
  const other = otherProjectId(run.provider.projectId);
  const refused = [400, 401, 403, 404];
  await run.expect("isolation", "another project's path does not answer this project's job", RULE, "GET", `/v1/${other}/jobs/${jobId}`, {}, { status: refused });
  await run.expect("isolation", "another project's path does not answer this project's image tags", RULE, "GET", `/v2/${other}/images/${imageId}/tags`, {}, { status: refused });
  await run.expect("isolation", "another project's path does not change this project's image tags", RULE, "POST", `/v2/${other}/images/${imageId}/tags/action`, { body: { action: "create", tags: [{ key: "ims_verify_other", value: "x" }] } }, { status: refused });
  const tags = await run.send("GET", `/v2/${run.provider.projectId}/images/${imageId}/tags`);
  run.hold("isolation", "a tag sent through another project's path is not on the image", RULE, !tagsIn(tags).some((tag) => tag.key === "ims_verify_other"), `ListImageTags reads ${tags.text.slice(0, 200)}`, tags);
}


type Listed = { id: string; visibility?: string; __imagetype?: string; owner?: string; name?: string };

/** Reads only: every private image ListImages shows is this project's own. */
export async function checkListedImagesAreOwn(run: Run): Promise<Listed[]> {
  const answer = await run.send("GET", "/v2/cloudimages?limit=100");
  const images = ((answer.json as { images?: Listed[] } | undefined)?.images ?? []).filter((image) => image && typeof image.id === "string");
  const foreign = images.filter((image) => (image.visibility === "private" || image.__imagetype === "private") && image.owner !== run.provider.projectId);
  run.hold("isolation", "ListImages lists no other project's private image", "a project sees its own private images and the public ones, never another project's private images", answer.status === 200 && foreign.length === 0, answer.status === 200 ? `listed ${foreign.length} private images of other owners: ${foreign.map((image) => `${image.id} (owner ${image.owner})`).slice(0, 3).join(", ")}` : `ListImages answered ${answer.status}`, answer);
  return images;
}

/** With --allow-create only (a provider that breaks this rule would change a public image): another owner's public image is read-only. */
export async function checkOthersPublicImage(run: Run, listed: readonly Listed[]): Promise<void> {
  const rule = "only an image's owner changes or deletes it: another owner's public image answers 400 IMG.0047 to an update or tag change and IMG.0094 to a delete";
  const image = listed.find((candidate) => candidate.visibility === "public" && candidate.owner !== run.provider.projectId);
  if (!image) {
    run.skip("isolation", "another owner's public image cannot be changed or deleted", rule, "not exercised: ListImages showed no public image of another owner");
    return;
  }
  await run.expect("isolation", "another owner's public image cannot be updated", rule, "PATCH", `/v2/cloudimages/${image.id}`, { body: [{ op: "replace", path: "/name", value: "ims_verify_not_mine" }] }, { status: 400, code: "IMG.0047" });
  await run.expect("isolation", "another owner's public image cannot be deleted", rule, "DELETE", `/v2/images/${image.id}`, {}, { status: 400, code: "IMG.0094" });
  const shown = await run.send("GET", `/v2/images/${image.id}`);
  run.hold("isolation", "another owner's public image is unchanged after the refusals", rule, shown.status === 200 && (shown.json as Listed | undefined)?.name === image.name, `GlanceShowImage answered ${shown.status} named ${JSON.stringify((shown.json as Listed | undefined)?.name)}`, shown);
}

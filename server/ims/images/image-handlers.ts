// The image operations. A project sees its own images and the public ones; it changes and deletes only its own.
// Another project's private image is as unknown as one that never was.
import type { components } from "../../../generated/openapi.js";
import type { Handler, StubRequest } from "../../http/handler.js";
import type { ImsBackend } from "../backend.js";
import { ImsError } from "../errors.js";
import { listImages, type ListImagesQuery } from "./list.js";
import { applyPatch } from "./patch.js";
import type { StoredImage } from "./store.js";

type Schemas = components["schemas"];

type ImageOperationId = "ListImages" | "GlanceShowImage" | "UpdateImage" | "GlanceUpdateImage" | "GlanceDeleteImage" | "ListImageTags" | "BatchAddOrDeleteTags" | "ShowImageQuota";

/** Tags an image may hold (the same limit as a create's). */
const MAX_TAGS = 20;

export function imageHandlers({ images }: ImsBackend): Record<ImageOperationId, Handler> {
  const notFound = (id: string) => new ImsError("IMG.0121", `No image ${id} in this project.`);

  /** The image the path names, as the caller may see it; in a path with a project, only the caller's own project. */
  function visibleImage(req: StubRequest): StoredImage {
    const { image_id: id, project_id: projectId } = req.params as { image_id: string; project_id?: string };
    const image = projectId === undefined || projectId === req.caller!.projectId ? images.visible(req.caller!.projectId, id) : undefined;
    if (!image) throw notFound(id);
    return image;
  }

  /** The image the path names, which the caller must own to change. */
  function ownImage(req: StubRequest, refusal: ImsError): StoredImage {
    const image = visibleImage(req);
    if (image.owner !== req.caller!.projectId) throw refusal;
    return image;
  }

  /** UpdateImage and OpenStack's GlanceUpdateImage: the contract says which changes each takes. */
  const updateImage: Handler = (req, res) => {
    const image = ownImage(req, new ImsError("IMG.0047"));
    const status = images.statusOf(image);
    if (status !== "active") throw new ImsError("IMG.0046", `Only an active image can be updated; this one is ${status}.`);
    image.attributes = applyPatch(image.attributes, req.body as Schemas["GlanceUpdateImageRequestBody"]);
    images.touch(image);
    res.json(images.view(image));
  };

  return {
    ListImages(req, res) {
      res.json({ images: listImages(images, req.caller!.projectId, req.query as ListImagesQuery) } satisfies Schemas["ImageList"]);
    },
    GlanceShowImage(req, res) {
      res.json(images.view(visibleImage(req)));
    },
    UpdateImage: updateImage,
    GlanceUpdateImage: updateImage,
    GlanceDeleteImage(req, res) {
      const image = ownImage(req, new ImsError("IMG.0094"));
      if (image.attributes.protected === true) throw new ImsError("IMG.0091");
      if (images.statusOf(image) !== "active") throw new ImsError("IMG.0090", "Its job has not finished; delete it once the job has ended.");
      images.delete(image);
      res.status(204).end();
    },
    ListImageTags(req, res) {
      const image = visibleImage(req);
      res.json({ tags: [...image.tags].map(([key, value]) => ({ key, value })) } satisfies Schemas["ImageTags"]);
    },
    BatchAddOrDeleteTags(req, res) {
      const image = ownImage(req, new ImsError("IMG.0047"));
      const { action, tags } = req.body as Schemas["BatchImageTagsRequest"];
      const keys = tags.map((tag) => tag.key);
      const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
      if (repeated !== undefined) throw new ImsError("IMG.0115", `The tag key ${JSON.stringify(repeated)} is given twice.`);
      const imageTags = image.tags;
      if (action === "create") {
        const added = keys.filter((key) => !imageTags.has(key)).length;
        if (imageTags.size + added > MAX_TAGS) throw new ImsError("IMG.0116", `The image has ${imageTags.size} tags; ${added} more would pass ${MAX_TAGS}.`);
        // The schema's create branch requires every value.
        for (const { key, value } of tags) imageTags.set(key, value ?? "");
      } else {
        for (const key of keys) imageTags.delete(key);
      }
      image.tags = imageTags;
      images.touch(image);
      res.status(204).end();
    },
    ShowImageQuota(req, res) {
      const used = images.used(req.caller!.projectId);
      res.json({ quotas: { resources: [{ type: "image", used, quota: images.quota, min: 1, max: Math.max(images.quota, 10_000) }] } } satisfies Schemas["ImageQuota"]);
    },
  };
}

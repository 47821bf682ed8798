// The images of the emulated IMS. An image made by a create exists from the create on: its status follows its job
// (queued, saving, then active), read when the image is read, like the job itself. An image whose job failed is
// gone: the job's FAIL names no image, so no client could find it to delete it, and it would hold a place in the
// quota for ever. Nothing is evicted: the quota bounds how many images a project keeps.
import type { components } from "../../../generated/openapi.js";
import type { JobProgress } from "../jobs/store.js";
import { imsTime } from "./ims-time.js";

/**
 * What IMS shows in `size`, which it does not use (real answers carry 2 whatever the image; the bytes are in
 * `__image_size`). Huawei's Java SDK reads `size` as a 32-bit Integer in ListImages and UpdateImage, so a byte
 * count there (5 GiB for a 40 GB disk) fails its JSON parsing.
 */
export const IMS_SIZE = 2;

/**
 * A number as IMS shows it in a string attribute (`max_ram`): a whole one as its digits. `String()` writes one from
 * 10^21 on with an exponent ("3.536429452685933e+23"), which the contract's `^\d+$` refuses, and every later read
 * of the image would then fail: the same shortest digits, the exponent written out as zeros.
 */
export function numberText(value: number): string {
  const text = String(value);
  const exponential = /^(\d)(?:\.(\d+))?e\+(\d+)$/.exec(text);
  if (!exponential) return text;
  const [, lead, fraction = "", exponent] = exponential;
  return lead! + fraction.padEnd(Number(exponent), "0");
}

export type Image = components["schemas"]["Image"];
export type ImageStatus = components["schemas"]["ImageStatus"];
export type ImageTag = components["schemas"]["ImageTag"];

/** What an image shows besides what the store derives (ID, status, times, links, tags). */
export type ImageAttributes = Record<string, unknown> & { name: string; owner: string; visibility: string };

/**
 * Where stored times count from: an offset from it is one of V8's small integers for twelve days either way, so a
 * time held costs no heap number (a clock far from now still works, its offsets boxed).
 */
const EPOCH_MS = Date.now();

/**
 * What the attributes of images have in common (everything but the name, the source and the description) and
 * their tags, as JSON text, kept once per distinct text: the images of one pipeline differ in little else.
 */
class SharedTexts {
  private readonly texts = new Map<string, string>();
  /** The last object given to json() and its text: most creates in a row make images alike but for their name. */
  private last: { keys: string[]; values: Record<string, unknown>; text: string } | undefined;

  /** The object's JSON text, interned; the last one's text again when the object has the same keys, in the same order, with the same primitive values. */
  json(values: Record<string, unknown>): string {
    if (this.last !== undefined && sameFlatObject(values, this.last.keys, this.last.values)) return this.last.text;
    const text = this.intern(JSON.stringify(values));
    this.last = { keys: Object.keys(values), values, text };
    return text;
  }

  intern(text: string): string {
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    // Texts no image shares any more are never looked for: past this many distinct ones, start again (the images
    // keep theirs; only later ones stop sharing with earlier ones).
    if (this.texts.size >= MAX_SHARED_TEXTS) this.texts.clear();
    this.texts.set(text, text);
    return text;
  }

  clear(): void {
    this.texts.clear();
    this.last = undefined;
  }
}

/** Whether `values` has exactly these keys, in this order, each with the same value, and every value a primitive. */
function sameFlatObject(values: Record<string, unknown>, keys: readonly string[], known: Record<string, unknown>): boolean {
  let index = 0;
  for (const key in values) {
    const value = values[key];
    if (key !== keys[index++] || value !== known[key] || (typeof value === "object" && value !== null)) return false;
  }
  return index === keys.length;
}

const NO_TAGS = "[]";
const MAX_SHARED_TEXTS = 10_000;

/**
 * A held image, lean: the store holds a hundred thousand of them, and every object each one keeps is one more
 * that each full garbage collection walks, taxing every request. Its own strings (ID, name, source), what it
 * shares with others as one interned JSON text (no object the collector must walk inside), numbers as small
 * integers. `attributes` and `tags` are read and written whole; both are rare next to what reads the record.
 */
class StoredImage {
  /** Creation order, the tie-break of every sort: two images made in the same millisecond still have an order. */
  readonly seq: number;
  private created: number;
  private updated: number;
  private active: number | undefined = undefined;
  /** The settled status; while the creating job runs, undefined, and `job` tells. */
  status: ImageStatus | undefined = undefined;
  job: (() => JobProgress) | undefined = undefined;
  /** Counted in its owner's quota: a private image a create made (not one of the world's). */
  counted = false;
  /** Read by every visibility check: kept as fields, not in the text. */
  owner!: string;
  visibility!: string;
  private name!: string;
  private origin: string | undefined;
  private description: string | undefined;
  /** The other attributes, as interned JSON. */
  private common!: string;
  private tagText: string = NO_TAGS;

  constructor(
    readonly id: string,
    seq: number,
    createdAt: number,
    attributes: ImageAttributes,
    tags: Iterable<readonly [string, string]>,
    private readonly texts: SharedTexts,
  ) {
    this.seq = seq;
    this.created = createdAt - EPOCH_MS;
    this.updated = this.created;
    this.attributes = attributes;
    this.tags = new Map(tags);
  }

  get createdAt(): number {
    return EPOCH_MS + this.created;
  }
  get updatedAt(): number {
    return EPOCH_MS + this.updated;
  }
  set updatedAt(ms: number) {
    this.updated = ms - EPOCH_MS;
  }
  get activeAt(): number | undefined {
    return this.active === undefined ? undefined : EPOCH_MS + this.active;
  }
  set activeAt(ms: number | undefined) {
    this.active = ms === undefined ? undefined : ms - EPOCH_MS;
  }

  /** A fresh copy of the attributes, name first. */
  get attributes(): ImageAttributes {
    return {
      name: this.name,
      ...(JSON.parse(this.common) as Record<string, unknown>),
      ...(this.origin !== undefined && { __data_origin: this.origin }),
      ...(this.description !== undefined && { __description: this.description }),
    } as ImageAttributes;
  }
  set attributes(value: ImageAttributes) {
    const { name, __data_origin: origin, __description: description, ...common } = value;
    this.name = name;
    this.owner = value.owner;
    this.visibility = value.visibility;
    // Strings as the contract makes them (`__*` attributes are strings); anything else stays in the text.
    if (typeof origin === "string" || origin === undefined) this.origin = origin;
    else (common as Record<string, unknown>).__data_origin = origin;
    if (typeof description === "string" || description === undefined) this.description = description;
    else (common as Record<string, unknown>).__description = description;
    this.common = this.texts.json(common);
  }

  /** A fresh copy of the tags: change it, then set it back. */
  get tags(): Map<string, string> {
    return new Map(this.tagText === NO_TAGS ? [] : (JSON.parse(this.tagText) as [string, string][]));
  }
  set tags(value: ReadonlyMap<string, string>) {
    this.tagText = value.size === 0 ? NO_TAGS : this.texts.intern(JSON.stringify([...value]));
  }
}

const STATUS_WHILE: Record<"INIT" | "RUNNING", ImageStatus> = { INIT: "queued", RUNNING: "saving" };

export class ImageQuotaError extends Error {}

export class ImageStore {
  private readonly byId = new Map<string, StoredImage>();
  /** Every image, by creation time then creation order: pages in the default order are a walk from either end. */
  private ordered: StoredImage[] = [];
  private readonly countByOwner = new Map<string, number>();
  /** Images whose job has not been seen to end, oldest first. */
  private readonly pending = new Set<StoredImage>();
  private nextSeq = 0;
  private readonly texts = new SharedTexts();

  constructor(
    readonly quota: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  clear(): void {
    this.byId.clear();
    this.ordered = [];
    this.countByOwner.clear();
    this.pending.clear();
    this.texts.clear();
  }

  /** How many private images a project has made and keeps (what its quota counts). */
  used(projectId: string): number {
    for (const image of [...this.pending]) if (image.owner === projectId) this.settle(image);
    return this.countByOwner.get(projectId) ?? 0;
  }

  /** Refuses, before anything is made, a create that would take the project past its quota. */
  checkRoomFor(projectId: string, count: number): void {
    // Only a project near its quota pays for settling its pending images (a failed job's image frees its place).
    const fits = () => (this.countByOwner.get(projectId) ?? 0) + count <= this.quota;
    if (fits()) return;
    const used = this.used(projectId);
    if (!fits()) {
      throw new ImageQuotaError(`The project has ${used} of its ${this.quota} private images; this create makes ${count} more.`);
    }
  }

  /** Adds the images a create makes, their status following its job. */
  addCreated(projectId: string, images: readonly { id: string; attributes: ImageAttributes; tags: readonly ImageTag[] }[], job: () => JobProgress): void {
    // Jobs nearly always end in the order they started: settling the oldest pending images now and then keeps the
    // set small (and lets their jobs go) even when nobody reads the images. The two are taken from the set as it
    // is walked (settling deletes only the one it settles), not from a copy: with timed jobs the set holds every
    // create of the last few seconds.
    let settled = 0;
    for (const oldest of this.pending) {
      if (settled++ === 2) break;
      this.settle(oldest);
    }
    for (const image of images) {
      const stored = this.fresh(image.id, image.attributes, image.tags);
      stored.job = job;
      stored.counted = true;
      this.insert(stored);
      this.pending.add(stored);
      this.countByOwner.set(projectId, (this.countByOwner.get(projectId) ?? 0) + 1);
    }
  }

  /** Adds an image that exists already (the world's), active, counted in no quota. */
  addExisting(id: string, attributes: ImageAttributes, tags: readonly ImageTag[], createdAt?: number): void {
    const image = this.fresh(id, attributes, tags, createdAt);
    image.status = (attributes.status as ImageStatus | undefined) ?? "active";
    image.activeAt = image.createdAt;
    this.insert(image);
  }

  /** Replaces the world's images (those counted in no quota) with these. */
  replaceExisting(images: readonly { id: string; attributes: ImageAttributes; tags: readonly ImageTag[]; createdAt?: number }[]): void {
    for (const image of [...this.byId.values()]) if (!image.counted) this.remove(image);
    for (const image of images) this.addExisting(image.id, image.attributes, image.tags, image.createdAt);
  }

  /** A new image, neither settled, pending nor counted: each kind of add sets what it knows. */
  private fresh(id: string, attributes: ImageAttributes, tags: readonly ImageTag[], createdAt = this.now()): StoredImage {
    return new StoredImage(id, this.nextSeq++, createdAt, attributes, tags.map((tag) => [tag.key, tag.value] as const), this.texts);
  }

  private insert(image: StoredImage): void {
    if (this.byId.has(image.id)) this.remove(this.byId.get(image.id)!);
    this.byId.set(image.id, image);
    const last = this.ordered.at(-1);
    if (!last || compareCreated(last, image) <= 0) this.ordered.push(image);
    else this.ordered.splice(firstAfter(this.ordered, image), 0, image);
  }


  private remove(image: StoredImage): void {
    this.byId.delete(image.id);
    this.pending.delete(image);
    const index = firstAfter(this.ordered, image) - 1;
    if (this.ordered[index] === image) this.ordered.splice(index, 1);
    else this.ordered = this.ordered.filter((other) => other !== image);
    if (image.counted) {
      const { owner } = image;
      this.countByOwner.set(owner, (this.countByOwner.get(owner) ?? 1) - 1);
    }
  }

  /** Settles an image whose job has ended: active from the job's end, or gone. Returns whether it still exists. */
  private settle(image: StoredImage): boolean {
    if (!image.job) return true;
    const progress = image.job();
    if (!("endedAt" in progress)) return true;
    if (progress.status === "FAIL") {
      this.remove(image);
      return false;
    }
    image.status = "active";
    image.activeAt = progress.endedAt;
    image.updatedAt = Math.max(image.updatedAt, progress.endedAt);
    image.job = undefined;
    this.pending.delete(image);
    return true;
  }

  statusOf(image: StoredImage): ImageStatus {
    if (image.status) return image.status;
    return STATUS_WHILE[image.job!().status as "INIT" | "RUNNING"];
  }

  /** The image, if it exists and the project may see it (its own, or a public one). */
  visible(projectId: string, id: string): StoredImage | undefined {
    const image = this.byId.get(id);
    if (!image || !this.settle(image)) return undefined;
    return isVisibleTo(image, projectId) ? image : undefined;
  }

  /**
   * The images the project may see, in creation order (newest first unless `ascending`), starting after the
   * position of `after` in that order. Settles each as it passes.
   */
  *walk(projectId: string, ascending: boolean, after?: Pick<StoredImage, "createdAt" | "seq">): Generator<StoredImage> {
    // No copy of the store: a page reads only the images it passes, however many there are. Settling removes
    // only the image it settles (its job failed): going up, the next one has then moved to where it was.
    let i = !after ? (ascending ? 0 : this.ordered.length - 1) : ascending ? firstAfter(this.ordered, after) : firstAfter(this.ordered, after, true) - 1;
    while (ascending ? i < this.ordered.length : i >= 0) {
      const image = this.ordered[i]!;
      if (!isVisibleTo(image, projectId)) {
        i += ascending ? 1 : -1;
      } else if (this.settle(image)) {
        yield image;
        i += ascending ? 1 : -1;
      } else if (!ascending) {
        i -= 1;
      }
    }
  }

  /** Every image, oldest first (the control API's view). */
  all(): StoredImage[] {
    return this.ordered.filter((image) => this.settle(image));
  }

  delete(image: StoredImage): void {
    this.remove(image);
  }

  touch(image: StoredImage): void {
    image.updatedAt = Math.max(this.now(), image.updatedAt);
  }

  /** The image as IMS shows it. */
  view(image: StoredImage): Image {
    const { id, attributes } = image;
    const activeAt = image.activeAt;
    // ID, name and status first, as IMS lists them (the spread sets name again, in its place: no copy without it).
    return {
      id,
      name: attributes.name,
      status: this.statusOf(image),
      ...(attributes as Record<string, unknown>),
      tags: [...image.tags].map(([key, value]) => `${key}=${value}`),
      self: `/v2/images/${id}`,
      file: `/v2/images/${id}/file`,
      schema: "/v2/schemas/image",
      created_at: imsTime(image.createdAt),
      updated_at: imsTime(image.updatedAt),
      ...(activeAt !== undefined && { active_at: imsTime(activeAt) }),
    } as Image;
  }
}

export type { StoredImage };

function compareCreated(a: Pick<StoredImage, "createdAt" | "seq">, b: Pick<StoredImage, "createdAt" | "seq">): number {
  return a.createdAt - b.createdAt || a.seq - b.seq;
}

/** The index of the first image created after `image` (at or after it, with `orAt`): a binary search. */
function firstAfter(ordered: readonly StoredImage[], image: Pick<StoredImage, "createdAt" | "seq">, orAt = false): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareCreated(ordered[middle]!, image);
    if (order < 0 || (order === 0 && !orAt)) low = middle + 1;
    else high = middle;
  }
  return low;
}

function isVisibleTo(image: StoredImage, projectId: string): boolean {
  return image.owner === projectId || image.visibility === "public";
}

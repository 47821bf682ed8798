// ListImages: filters, order and pages. The contract has validated every parameter; parameters it does not list
// never reach here (they are ignored, as IMS ignores them).
import type { operations } from "../../../generated/openapi.js";
import { ImsError } from "../errors.js";
import type { Image, ImageStore, StoredImage } from "./store.js";

export type ListImagesQuery = NonNullable<operations["ListImages"]["parameters"]["query"]>;

const DEFAULT_LIMIT = 500;

/** Filters that compare one attribute of the image with the parameter's value, as strings. */
const EXACT_FILTERS = ["id", "name", "status", "__imagetype", "visibility", "owner", "virtual_env_type", "__os_type", "__platform", "disk_format", "container_format"] as const;

const COMPARISONS: Record<string, (order: number) => boolean> = {
  gt: (order) => order > 0,
  gte: (order) => order >= 0,
  lt: (order) => order < 0,
  lte: (order) => order <= 0,
  eq: (order) => order === 0,
  neq: (order) => order !== 0,
};

/** `gt:2024-11-06T00:00:00Z` → a test of an image time (ms). */
function timeFilter(parameter: string): (ms: number) => boolean {
  const [op, time] = [parameter.slice(0, parameter.indexOf(":")), parameter.slice(parameter.indexOf(":") + 1)];
  const limit = Date.parse(time);
  if (Number.isNaN(limit)) throw new ImsError("IMG.0001", `${parameter} is not a valid time.`);
  const test = COMPARISONS[op]!;
  // IMS shows times to the second: compare at that precision.
  return (ms) => test(Math.floor(ms / 1000) * 1000 - limit);
}

function predicateOf(query: ListImagesQuery, view: (image: StoredImage) => Image): (image: StoredImage) => boolean {
  const tests: ((image: StoredImage, shown: Image) => boolean)[] = [];
  for (const name of EXACT_FILTERS) {
    const wanted = query[name];
    if (wanted !== undefined) tests.push((_image, shown) => String(shown[name as keyof Image] ?? "") === String(wanted));
  }
  const { enterprise_project_id: project, tag, architecture, protected: isProtected, __whole_image: wholeImage, created_at: created, updated_at: updated } = query;
  if (project !== undefined && project !== "all_granted_eps") tests.push((_image, shown) => shown.enterprise_project_id === project);
  if (tag !== undefined) {
    const [key, value] = [tag.slice(0, tag.indexOf("=")), tag.slice(tag.indexOf("=") + 1)];
    tests.push((image) => image.tags.get(key) === value);
  }
  if (architecture !== undefined) tests.push((_image, shown) => (shown.__support_arm === "true" ? "arm" : "x86") === architecture);
  if (isProtected !== undefined) tests.push((_image, shown) => shown.protected === isProtected);
  // No image this contract makes is a whole-machine image; a world image may say it is one.
  if (wholeImage !== undefined) tests.push((image) => (image.attributes.__whole_image === "true") === wholeImage);
  if (created !== undefined) {
    const test = timeFilter(created);
    tests.push((image) => test(image.createdAt));
  }
  if (updated !== undefined) {
    const test = timeFilter(updated);
    tests.push((image) => test(image.updatedAt));
  }
  if (tests.length === 0) return () => true;
  return (image) => {
    const shown = view(image);
    return tests.every((test) => test(image, shown));
  };
}

type SortKey = NonNullable<ListImagesQuery["sort_key"]>;

function sortValue(image: StoredImage, shown: Image, key: SortKey): string | number {
  switch (key) {
    case "created_at":
      return image.createdAt;
    case "updated_at":
      return image.updatedAt;
    case "size":
      // IMS shows 2 in `size` for every image; the stub orders by the bytes it shows in `__image_size`.
      return Number(shown.__image_size ?? 0);
    default:
      return String(shown[key] ?? "");
  }
}

/** One page of the images the project may see. */
export function listImages(store: ImageStore, projectId: string, query: ListImagesQuery): Image[] {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const key: SortKey = query.sort_key ?? "created_at";
  const ascending = query.sort_dir === "asc";
  const view = (image: StoredImage) => store.view(image);
  const matches = predicateOf(query, view);

  let marker: StoredImage | undefined;
  if (query.marker !== undefined) {
    marker = store.visible(projectId, query.marker);
    if (!marker) throw new ImsError("IMG.0027", `marker ${query.marker} names no image.`);
  }

  // By ID: one look-up, whatever the number of images.
  if (query.id !== undefined) {
    const image = store.visible(projectId, query.id);
    return image && image !== marker && matches(image) ? [view(image)] : [];
  }

  const page: Image[] = [];
  // The default order is the store's own: a walk from the marker, no sort.
  if (key === "created_at") {
    for (const image of store.walk(projectId, ascending, marker)) {
      if (page.length >= limit) break;
      if (matches(image)) page.push(view(image));
    }
    return page;
  }

  const sorted = [...store.walk(projectId, true)]
    .filter(matches)
    .map((image) => ({ image, shown: view(image) }))
    .map((entry) => ({ ...entry, value: sortValue(entry.image, entry.shown, key) }));
  const compare = (a: { value: string | number; image: StoredImage }, b: { value: string | number; image: StoredImage }) =>
    (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) || a.image.createdAt - b.image.createdAt || a.image.seq - b.image.seq;
  sorted.sort((a, b) => (ascending ? compare(a, b) : compare(b, a)));
  let start = 0;
  if (marker) {
    const markerEntry = { image: marker, value: sortValue(marker, view(marker), key) };
    start = sorted.findIndex((entry) => (ascending ? compare(entry, markerEntry) : compare(markerEntry, entry)) > 0);
    if (start === -1) return [];
  }
  return sorted.slice(start, start + limit).map((entry) => entry.shown);
}

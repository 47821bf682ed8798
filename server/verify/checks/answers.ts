// Reading the parts of an answer the state checks compare.
import type { Exchange } from "../provider.js";

export type Image = Record<string, unknown> & { id: string; name?: string; status?: string; created_at?: string };
export type Tag = { key: string; value: string };

export const body = (exchange: Exchange) => exchange.json as Record<string, unknown> | undefined;
export const imagesIn = (exchange: Exchange): Image[] => ((body(exchange)?.images as Image[] | undefined) ?? []).filter((image) => image && typeof image.id === "string");
export const tagsIn = (exchange: Exchange): Tag[] => (body(exchange)?.tags as Tag[] | undefined) ?? [];
export const quotaUsed = (exchange: Exchange): number | undefined => {
  const resources = (body(exchange)?.quotas as { resources?: { type?: string; used?: unknown }[] } | undefined)?.resources;
  const used = resources?.find((resource) => resource.type === "image")?.used;
  return exchange.status === 200 && typeof used === "number" ? used : undefined;
};

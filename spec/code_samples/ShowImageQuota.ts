// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
const { quotas } = await ims.showImageQuota();
const images = quotas.resources.find((r) => r.type === "image");

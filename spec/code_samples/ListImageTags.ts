// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
const tags = await ims.listImageTags(imageId); // [{ key, value }, ...]

// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
const image = await ims.updateImage(imageId, [{ op: "replace", path: "/min_disk", value: 50 }], { native: true });
console.log(image.min_disk); // 50

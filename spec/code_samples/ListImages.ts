// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
const image = await ims.findImage(imageId); // GET /v2/cloudimages?id=..., undefined when gone
for await (const image of ims.listAllImages({ __imagetype: "private", status: "active" }, { pageSize: 100 })) {
  console.log(image.id, image.name, image.status);
}

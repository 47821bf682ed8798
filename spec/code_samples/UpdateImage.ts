// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
const image = await ims.updateImage(imageId, [
  { op: "replace", path: "/name", value: "ims_test_renamed" },
  { op: "add", path: "/max_ram", value: 4096 },
]);
console.log(image.name, image.max_ram); // "ims_test_renamed", "4096"

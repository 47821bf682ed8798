// Listens with Node's HTTP server, answering what Node refuses before Express sees it (an oversized header,
// a malformed request line) in the IMS error shape too.
import { createServer, type Server } from "node:http";
import type { RequestListener } from "node:http";
import { randomHexId } from "./ids.js";

const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, "The request headers are too large."],
  HPE_URI_TOO_LONG: [414, "The request URI is too long."],
};

export function clientErrorResponse(code: string | undefined): string {
  const [status, detail] = CLIENT_ERRORS[code ?? ""] ?? [400, "The HTTP request is malformed."];
  const body = JSON.stringify({ error: { code: "IMG.0001", message: `The request message format is invalid. ${detail}` } });
  return `HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : status === 414 ? "URI Too Long" : "Bad Request"}\r\nContent-Type: application/json\r\nX-Request-Id: ${randomHexId()}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export function serve(app: RequestListener, port: number, host: string): Promise<Server> {
  const server = createServer(app);
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable) socket.end(clientErrorResponse(error.code));
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

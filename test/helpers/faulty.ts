// A provider that gets the contract wrong on purpose: it forwards each request to a real stub and spoils the
// JSON answers on the way back, as another team's mock or a regressed service might.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Spoil = (answer: { method: string; path: string; status: number; body: unknown }) => { status?: number; body?: unknown; contentType?: string } | undefined;

export async function faultyProvider(upstream: string, spoil: Spoil): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !["host", "connection", "content-length"].includes(name))) as Record<string, string>;
    const answer = await fetch(`${upstream}${req.url}`, { method: req.method!, headers, ...(chunks.length && { body: Buffer.concat(chunks) }) });
    const text = await answer.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    const spoiled = spoil({ method: req.method!, path: req.url!.split("?", 1)[0]!, status: answer.status, body }) ?? {};
    const out = spoiled.body === undefined ? text : JSON.stringify(spoiled.body);
    res.writeHead(spoiled.status ?? answer.status, { "Content-Type": spoiled.contentType ?? answer.headers.get("content-type") ?? "application/json" }).end(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

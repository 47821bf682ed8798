// Who can reach the stub and what they may do there. On loopback the defaults (no control token, the README's
// example AK/SK pair) are the zero-configuration stub; bound anywhere else, they would let whoever can reach
// the port reset every pipeline's jobs and sign requests with published keys, so the stub refuses to start
// with them unless told to in so many words.
import { BlockList, isIP } from "node:net";
import type { Credential } from "./http/auth.js";

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/**
 * 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) and `localhost`. Any other name counts as reachable: what it
 * resolves to is not known before listening, and on another machine it could be anything.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const family = isIP(host);
  return family !== 0 && loopback.check(host, family === 4 ? "ipv4" : "ipv6");
}

/** The settings (config.ts's StubSettings) that decide what the stub opens; config.ts checks them with this module. */
type ExposureSettings = {
  host: string;
  controlToken: string | undefined;
  credentials: ReadonlyMap<string, Credential>;
  allowOpenNetwork: boolean;
  projectId: string;
  upstream: string | undefined;
};

/** The accepted AKs whose pair is one of the published ones (the SK must match too). */
function publishedAks(credentials: ReadonlyMap<string, Credential>, published: ReadonlyMap<string, Credential>): string[] {
  return [...credentials].filter(([ak, { sk }]) => published.get(ak)?.sk === sk).map(([ak]) => ak);
}

const describeHost = (host: string) => (host === "" ? 'every interface (the host is empty)' : host === "0.0.0.0" || host === "::" ? `${host} (every interface)` : host);

/**
 * Why these settings must not be served where others can reach them, with the flags that fix it; undefined on
 * loopback, when they are safe, or when the user opted out.
 */
export function openNetworkProblem(settings: Pick<ExposureSettings, "host" | "controlToken" | "credentials" | "allowOpenNetwork">, published: ReadonlyMap<string, Credential>): string | undefined {
  if (settings.allowOpenNetwork || isLoopbackHost(settings.host)) return undefined;
  const aks = publishedAks(settings.credentials, published);
  const open = [
    ...(settings.controlToken === undefined ? ["the control API needs no token (whoever reaches the port could reset jobs, load a world and add outcome rules)"] : []),
    ...(aks.length > 0 ? [`the published example AK/SK pair ${aks.join(", ")} is accepted (whoever reaches the port could sign requests with it)`] : []),
  ];
  if (open.length === 0) return undefined;
  const fixes = [
    ...(settings.controlToken === undefined ? [`--control-token (IMS_STUB_CONTROL_TOKEN, 16+ characters)`] : []),
    ...(aks.length > 0 ? ["--credentials (IMS_STUB_CREDENTIALS, your own AK:SK:PROJECT_ID pairs)"] : []),
  ];
  return (
    `refusing to listen on ${describeHost(settings.host)}, not a loopback address, while ${open.join(" and ")}. ` +
    `Set ${fixes.join(" and ")}, or pass --allow-open-network (IMS_STUB_ALLOW_OPEN_NETWORK=true) to serve it open anyway.`
  );
}

/**
 * What the start-up line says is open: the bound address, the auth the IMS API accepts (AKs only, never a
 * secret) and whether the control API needs its token.
 */
export function accessSummary(
  settings: Pick<ExposureSettings, "projectId" | "credentials" | "controlToken" | "upstream">,
  boundAddress: string,
  published: ReadonlyMap<string, Credential>,
): string {
  const bound = isLoopbackHost(boundAddress) ? `${boundAddress} (loopback only)` : `${describeHost(boundAddress)}, reachable from the network`;
  const examples = new Set(publishedAks(settings.credentials, published));
  const pairs = [...settings.credentials].map(([ak, { projectId }]) => `${ak} (project ${projectId}${examples.has(ak) ? ", the published example pair" : ""})`);
  const token = settings.upstream ? "any X-Auth-Token, passed on to the upstream" : `any X-Auth-Token (project ${settings.projectId})`;
  const control = settings.controlToken === undefined ? "control API: open, no token" : "control API: needs its Bearer token (health open)";
  return `bound to ${bound}; IMS API: ${token}, ${pairs.length > 0 ? `AK/SK of ${pairs.join(", ")}` : "no AK/SK pair"}; ${control}`;
}

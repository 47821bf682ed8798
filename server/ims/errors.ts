// The one place error bodies are shaped: IMS errors `{"error":{code,message}}` and the API gateway's flat
// `{error_code,error_msg,request_id}`.
import type { Response } from "express";

/** Documented IMG codes the stub uses, with their status and documented message. */
export const IMS_CODES = {
  "IMG.0001": [400, "The request message format is invalid."],
  "IMG.0002": [400, "The image name contains more than 128 characters."],
  "IMG.0003": [400, "The image name format is invalid."],
  "IMG.0004": [400, "The description contains more than 1024 characters."],
  "IMG.0005": [400, "The ECS does not exist."],
  "IMG.0007": [400, "The request body is empty."],
  "IMG.0013": [400, "The image name is not specified."],
  "IMG.0015": [400, "The number of private images has reached the maximum allowed."],
  "IMG.0017": [400, "The URL format is incorrect."],
  "IMG.0018": [400, "An error occurred when the job was submitted."],
  "IMG.0024": [400, "The image type in the request is incorrect."],
  "IMG.0026": [403, "The role is invalid. You need to apply for the required permissions or pass the real-name authentication."],
  "IMG.0027": [400, "The image ID in the request does not exist."],
  "IMG.0035": [400, "An attribute conflict occurred during the modification."],
  "IMG.0046": [400, "The image is unavailable."],
  "IMG.0047": [400, "This operation can be performed only by the image owner."],
  "IMG.0054": [400, "The image description format is invalid."],
  "IMG.0055": [400, "The memory or disk size is invalid."],
  "IMG.0056": [400, "Invalid OS version."],
  "IMG.0057": [400, "The image file is empty, not found, or in incorrect format, or you do not have enough permission to access the file."],
  "IMG.0060": [400, "The number of tasks exceeds the flow control limit."],
  "IMG.0061": [500, "Unknown system error."],
  "IMG.0087": [400, "The token is incorrect."],
  "IMG.0090": [400, "The image being created cannot be deleted."],
  "IMG.0091": [400, "The protected image cannot be deleted."],
  "IMG.0094": [400, "The public image cannot be deleted."],
  "IMG.0115": [400, "The image tag is invalid."],
  "IMG.0116": [400, "The number of image tags exceeds the quota."],
  "IMG.0118": [400, "The BMS image does not support KMS encryption."],
  "IMG.0120": [400, "The specified data disk ID is unavailable."],
  "IMG.0121": [404, "The object cannot be found."],
  "IMG.0122": [400, "The OS type is invalid."],
  "IMG.0123": [400, "The image file address in the request is duplicate."],
  "IMG.0141": [400, "The value of hw_firmware_type is not uefi or bios."],
  "IMG.0155": [400, "Failed to check the enterprise project ID validity."],
  "IMG.0166": [400, "OS information must be contained in the ISO files used to create images."],
  "IMG.0194": [400, "The maximum number of images that can be imported at one time has been reached."],
  "IMG.0212": [400, "The value of Architecture must be x86 or Arm."],
} as const satisfies Record<string, readonly [number, string]>;

export type ImsCode = keyof typeof IMS_CODES;

export function documentedMessage(code: string): string | undefined {
  return (IMS_CODES as Record<string, readonly [number, string]>)[code]?.[1];
}

/** An error answered in the IMS shape. `detail` says what is wrong with which field. */
export class ImsError extends Error {
  constructor(
    readonly code: ImsCode,
    readonly detail?: string,
    readonly status: number = IMS_CODES[code][0],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ? `${IMS_CODES[code][1]} ${detail}` : IMS_CODES[code][1]);
  }
}

/**
 * A refusal by "the gateway" (authentication, throttling), answered in its flat shape. `reason` says more than the
 * gateway's message does (which signature step failed), for the request journal only.
 */
export class GatewayError extends Error {
  constructor(
    readonly status: 401 | 403 | 429,
    readonly code: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type("application/json").send(JSON.stringify(body));
}

export function sendImsError(res: Response, err: ImsError): void {
  res.set(err.headers);
  sendJson(res, err.status, { error: { code: err.code, message: err.message } });
}

export function sendGatewayError(res: Response, err: GatewayError): void {
  sendJson(res, err.status, { error_code: err.code, error_msg: err.message, request_id: String(res.getHeader("X-Request-Id") ?? "") });
}

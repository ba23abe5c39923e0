// The portal's only way to the server: the public REST API, with the session cookie and its CSRF token.

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

let csrfToken = '';
/** The CSRF token of the session, for requests made without {@link api} (an upload with progress). */
export function csrf(): string {
  return csrfToken;
}
export function setCsrf(token: string) {
  csrfToken = token;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const url = path.startsWith('/portal/') ? path : '/api/v1' + path;
  let r: Response;
  try {
    r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'NetworkError', 'The server could not be reached: ' + (e as Error).message);
  }
  if (r.status === 204) return undefined as T;
  const text = await r.text();
  if (!r.ok) {
    if (r.status === 401 && onSignedOut) onSignedOut();
    throw errorFrom(r.status, r.statusText, text);
  }
  try {
    return (text ? JSON.parse(text) : {}) as T;
  } catch {
    throw new ApiError(r.status, 'InvalidResponse', 'The server answered with something other than JSON');
  }
}

/**
 * The error of a failed answer: the API's problem document gives its EC2-style code and message;
 * anything else (a proxy's HTML page, an empty body) keeps the HTTP status so the user sees something true.
 */
export function errorFrom(status: number, statusText: string, text: string): ApiError {
  let json: { code?: unknown; detail?: unknown; message?: unknown } | null = null;
  try {
    const parsed = text ? JSON.parse(text) : null;
    if (parsed && typeof parsed === 'object') json = parsed;
  } catch {
    /* not JSON */
  }
  const code = typeof json?.code === 'string' ? json.code : 'HTTP' + status;
  const message = typeof json?.detail === 'string' ? json.detail : typeof json?.message === 'string' ? json.message : statusText || 'Request failed';
  return new ApiError(status, code, message);
}

let onSignedOut: (() => void) | null = null;
export function whenSignedOut(f: () => void) {
  onSignedOut = f;
}

export interface State { code: number; name: string }
export interface Instance {
  instanceId: string; reservationId: string; ownerId: string; imageId: string; instanceType: string;
  vcpus: number; memoryMib: number; state: State; task: string; stateReason: string | null; name: string | null;
  keyName: string | null; launchTime: string; terminatedAt: string | null; hostId: string | null;
  ssh: { host: string; port: number } | null; ha?: boolean; rootDiskGib?: number | null;
}
export interface InstanceType { name: string; vcpus: number; memoryMib: number; priceMicrosPerHour: number }
export interface Image {
  imageId: string; name: string; description: string; ownerId: string | null; isPublic: boolean; state: string; format: string;
  architecture: string; creationDate?: string; stateReason?: string | null; progress?: number; sizeBytes?: number; virtualSizeBytes?: number;
}
export interface KeyPair { keyPairId: string; keyName: string; keyType: string; keyFingerprint: string; createTime: string }
export interface NubEvent { id: number; at: string; accountId: string; resourceId: string; type: string; from: string | null; to: string | null; cause: string }
export interface Host {
  hostId: string; name: string; state: string; driver: string; accelerator: string; zone: string;
  capacity: { vcpus: number; memoryMib: number; diskGib: number }; allocated: { vcpus: number; memoryMib: number };
  cpuRatio: number; memoryRatio: number; lastHeartbeat: string;
}
export interface Account { accountId: string; name: string; role: string; enabled: boolean; instanceQuota: number; createdAt: string; partnerId: string | null }
export interface AccessKey { accessKeyId: string; accountId: string; status: string; createdAt: string }
export interface User { userId: string; accountId: string; email: string; role: string; enabled: boolean; createdAt: string }
export interface Session { user: User; accountName: string; operator: boolean; csrfToken: string; expiresAt: string }

export { money, perHour } from './lib/format';

export interface VolumeAttachment { volumeId: string; instanceId: string; device: string; state: string; deleteOnTermination: boolean; attachTime: string }
export interface Volume {
  volumeId: string; ownerId: string; state: string; stateReason: string | null; sizeGib: number; volumeType: string; iops: number | null;
  throughput: number | null; multiAttach: boolean; availabilityZone: string; createTime: string; attachments: VolumeAttachment[];
  tags: Record<string, string>;
  modification: { state: string; originalSizeGib: number; targetSizeGib: number; startTime: string; endTime: string | null } | null;
  snapshotId?: string | null;
}
export interface Zone { zoneName: string; zoneId: string; regionName: string; state: string }

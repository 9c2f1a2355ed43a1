// Registering MikroTik routers as RADIUS clients. The RADIUS server picks new rows up at once
// (a trigger NOTIFYs it), so a router added here works without restarting `netflow serve`.
import { randomBytes } from 'node:crypto';
import type { MessageAuthenticatorPolicy, PrismaClient, RouterStatus } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { ConflictError, invalid, uniqueViolation, NotFoundError } from '../core/errors.js';
import { oneOf, text, wholeNumber } from '../core/validate.js';
import { revokeTestMoneyCodes } from '../entitlements/revoke.js';
import { maskSecret, MIN_SECRET_LENGTH, normalizeIp } from '../routers/routers.js';
import { messageAuthenticatorRequired } from '../db/router-table.js';
import { describeApi } from '../routers/api-credentials.js';

export interface RouterInput {
  name: string;
  ip: string;
  secret: string;
  location?: string;
  /** yes | no | auto (default: required once the router has sent a valid one). */
  requireMessageAuthenticator?: string;
  /** Test money (the payment sandbox) is sold and accepted on this router. */
  acceptsTestMoney?: boolean;
  coaPort?: number;
}

export const MESSAGE_AUTHENTICATOR_POLICIES: readonly MessageAuthenticatorPolicy[] = ['yes', 'no', 'auto'];

/** A router as operators see it: the secret is masked, always. */
export interface RouterView {
  id: number;
  name: string;
  ip: string;
  secretMasked: string;
  location: string | null;
  status: RouterStatus;
  /** The policy as set: yes, no or auto. */
  requireMessageAuthenticator: MessageAuthenticatorPolicy;
  /** Whether Access-Requests without Message-Authenticator are dropped now (auto: after the first valid one). */
  messageAuthenticatorRequired: boolean;
  messageAuthenticatorSeenAt: Date | null;
  acceptsTestMoney: boolean;
  coaPort: number;
  lastSeenAt: Date | null;
  createdAt: Date;
  /** "user@host:port" when RouterOS API credentials are set (the password is never shown). */
  api: string | null;
}

function checkSecret(secret: string): string {
  if (!/^[\x21-\x7e]*$/.test(secret)) throw invalid('secret', 'must be printable ASCII without spaces');
  if (secret.length < MIN_SECRET_LENGTH) {
    throw invalid('secret', `must be at least ${MIN_SECRET_LENGTH} characters (BlastRADIUS guidance: use a long random secret)`);
  }
  return secret;
}

function view(r: {
  id: number;
  name: string;
  ip: string;
  secret: string;
  location: string | null;
  status: RouterStatus;
  messageAuthenticator: MessageAuthenticatorPolicy;
  messageAuthenticatorSeenAt: Date | null;
  acceptsTestMoney: boolean;
  coaPort: number;
  lastSeenAt: Date | null;
  createdAt: Date;
  apiCredential?: { username: string; host: string | null; port: number; tls: boolean } | null;
}): RouterView {
  return {
    id: r.id,
    name: r.name,
    ip: r.ip,
    secretMasked: maskSecret(r.secret),
    location: r.location,
    status: r.status,
    requireMessageAuthenticator: r.messageAuthenticator,
    messageAuthenticatorRequired: messageAuthenticatorRequired(r.messageAuthenticator, r.messageAuthenticatorSeenAt),
    messageAuthenticatorSeenAt: r.messageAuthenticatorSeenAt,
    acceptsTestMoney: r.acceptsTestMoney,
    coaPort: r.coaPort,
    lastSeenAt: r.lastSeenAt,
    createdAt: r.createdAt,
    api: r.apiCredential ? describeApi(r.apiCredential, r.ip) : null,
  };
}

function checkPolicy(value: string | undefined): MessageAuthenticatorPolicy {
  const v = (value ?? 'auto').trim().toLowerCase();
  if (!(MESSAGE_AUTHENTICATOR_POLICIES as readonly string[]).includes(v)) {
    throw invalid('requireMessageAuthenticator', 'must be yes, no or auto');
  }
  return v as MessageAuthenticatorPolicy;
}

/** Validates and normalizes the input without touching the database. */
export function checkRouterInput(input: RouterInput) {
  return {
    name: text('name', input.name, 64),
    ip: normalizeIp(input.ip),
    secret: checkSecret(input.secret),
    location: input.location === undefined ? null : text('location', input.location, 200),
    messageAuthenticator: checkPolicy(input.requireMessageAuthenticator),
    acceptsTestMoney: input.acceptsTestMoney ?? false,
    coaPort: wholeNumber('coaPort', input.coaPort ?? 3799, 1, 65535),
  };
}

export async function addRouter(prisma: PrismaClient, input: RouterInput, actor: string): Promise<RouterView> {
  const data = checkRouterInput(input);
  try {
    const router = await prisma.$transaction(async (tx) => {
      const created = await tx.router.create({ data });
      await recordAudit(tx, {
        actor,
        action: 'router.add',
        subject: created.name,
        details: {
          id: created.id,
          ip: created.ip,
          requireMessageAuthenticator: created.messageAuthenticator,
          acceptsTestMoney: created.acceptsTestMoney,
          coaPort: created.coaPort,
        },
      });
      return created;
    });
    return view(router);
  } catch (err) {
    const columns = uniqueViolation(err);
    if (columns === null) throw err;
    if (columns.includes('ip')) throw new ConflictError(`a router with IP ${data.ip} is already registered`, 'ip');
    if (columns.includes('name')) throw new ConflictError(`a router named "${data.name}" already exists`, 'name');
    throw new ConflictError('this router is already registered');
  }
}

export async function listRouters(prisma: PrismaClient): Promise<RouterView[]> {
  return (await prisma.router.findMany({ orderBy: { name: 'asc' }, include: { apiCredential: true } })).map(view);
}

/** Validates the changes without touching the database; the policy, if one is given. */
export function checkRouterChanges(changes: RouterChanges): MessageAuthenticatorPolicy | undefined {
  return changes.requireMessageAuthenticator === undefined ? undefined : checkPolicy(changes.requireMessageAuthenticator);
}

export interface RouterChanges {
  requireMessageAuthenticator?: string;
  acceptsTestMoney?: boolean;
  /** A new name (the RouterOS script and the portal's ?router= use it: change both). */
  name?: string;
  /** A new source address (the router's public or tunnel IP). */
  ip?: string;
  /** Free text; null or '' removes it. */
  location?: string | null;
  coaPort?: number;
  /** active | disabled: a disabled router's packets are dropped, as from an unknown address. */
  status?: string;
}

const ROUTER_STATUSES: readonly RouterStatus[] = ['active', 'disabled'];

/** Validates the changes beyond the policy (names, addresses, ports) without touching the database. */
export function checkRouterEdits(changes: RouterChanges) {
  return {
    ...(changes.name === undefined ? {} : { name: text('name', changes.name, 64) }),
    ...(changes.ip === undefined ? {} : { ip: normalizeIp(changes.ip) }),
    ...(changes.location === undefined
      ? {}
      : { location: changes.location === null || changes.location.trim() === '' ? null : text('location', changes.location, 200) }),
    ...(changes.coaPort === undefined ? {} : { coaPort: wholeNumber('coaPort', changes.coaPort, 1, 65535) }),
    ...(changes.status === undefined ? {} : { status: oneOf('status', changes.status, ROUTER_STATUSES) }),
  };
}

/**
 * Changes a router's Message-Authenticator policy or test-money mark. Setting auto again starts
 * over: the requirement comes back with the next valid Message-Authenticator (e.g. after the
 * router was replaced by an older one that cannot send it).
 */
export async function changeRouter(
  prisma: PrismaClient,
  name: string,
  changes: RouterChanges,
  actor: string,
): Promise<RouterView & { revokedTestMoneyCodes: number }> {
  const policy = checkRouterChanges(changes);
  const edits = checkRouterEdits(changes);
  return prisma
    .$transaction(async (tx) => {
      const before = await tx.router.findUnique({ where: { name } });
      if (!before) throw new NotFoundError(`no router named "${name}" (see: netflow router list)`, 'name');
      const after = await tx.router.update({
        where: { id: before.id },
        data: {
          ...(policy === undefined
            ? {}
            : { messageAuthenticator: policy, messageAuthenticatorSeenAt: policy === 'auto' ? null : before.messageAuthenticatorSeenAt }),
          ...(changes.acceptsTestMoney === undefined ? {} : { acceptsTestMoney: changes.acceptsTestMoney }),
          ...edits,
        },
      });
      // Before and after: the policy and test-money mark always, and every other field given.
      const edited = Object.keys(edits) as Array<keyof typeof edits>;
      const pick = (r: typeof before) => ({
        requireMessageAuthenticator: r.messageAuthenticator,
        acceptsTestMoney: r.acceptsTestMoney,
        ...Object.fromEntries(edited.map((k) => [k, r[k]])),
      });
      await recordAudit(tx, { actor, action: 'router.change', subject: after.name, details: { before: pick(before), after: pick(after) } });
      // Codes bought here with test money stop working now (enforcement disconnects their sessions).
      const revokedTestMoneyCodes = before.acceptsTestMoney && !after.acceptsTestMoney ? await revokeTestMoneyCodes(tx, after, actor) : 0;
      return { ...view(after), revokedTestMoneyCodes };
    })
    .catch((err: unknown) => {
      const columns = uniqueViolation(err);
      if (columns === null) throw err;
      if (columns.includes('ip')) throw new ConflictError(`a router with IP ${edits.ip} is already registered`, 'ip');
      throw new ConflictError(`a router named "${edits.name}" already exists`, 'name');
    });
}

/** A new random RADIUS secret: 32 characters from a set RouterOS takes without quoting. */
export function generateSecret(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(32);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Replaces a router's RADIUS secret with a new random one (or the one given), returned once: the
 * operator must put it on the router (/radius set secret=…), which then signs with it. The RADIUS
 * server picks the change up at once (the routers trigger), so the router fails until it is updated.
 */
export async function rotateRouterSecret(
  prisma: PrismaClient,
  name: string,
  actor: string,
  secret?: string,
): Promise<RouterView & { secret: string }> {
  const next = checkSecret(secret ?? generateSecret());
  return prisma.$transaction(async (tx) => {
    const before = await tx.router.findUnique({ where: { name } });
    if (!before) throw new NotFoundError(`no router named "${name}" (see: netflow router list)`, 'name');
    const after = await tx.router.update({ where: { id: before.id }, data: { secret: next } });
    await recordAudit(tx, {
      actor,
      action: 'router.secret_rotated',
      subject: after.name,
      // Masked only: never the secret itself.
      details: { before: { secretMasked: maskSecret(before.secret) }, after: { secretMasked: maskSecret(after.secret) } },
    });
    return { ...view(after), secret: next };
  });
}

export async function findRouterById(prisma: PrismaClient, id: number): Promise<RouterView | null> {
  const r = await prisma.router.findUnique({ where: { id } });
  return r ? view(r) : null;
}

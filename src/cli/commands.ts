// The `netflow` subcommands: each parses its flags, calls one admin operation and says how to
// show the result. Validation and database work live in src/admin, shared with the dashboard.
import type { PrismaClient } from '../db/generated/client.js';
import { checkAdminInput, createAdmin } from '../admin/admins.js';
import { addPackage, checkPackageInput, formatMegabytes, listPackages, type PackageView } from '../admin/packages.js';
import {
  checkPaymentListInput,
  checkRevenueInput,
  checkTimeZone,
  listPayments,
  REVENUE_GROUPS,
  revenue,
  type PaymentView,
  type RevenueReport,
} from '../admin/payments.js';
import { formatAmount } from '../admin/money.js';
import { addRouter, changeRouter, checkRouterChanges, checkRouterInput, listRouters, type RouterView } from '../admin/routers.js';
import { changeSessionPackage, endSession, listSessions, waitForActions, type ActionOutcome } from '../admin/sessions.js';
import { ERROR_CAUSES } from '../radius/dynamic-client.js';
import {
  checkRouterApiInput,
  removeRouterApi,
  routerStatus,
  setRouterApi,
  syncRouter,
  type RouterStatusView,
} from '../admin/router-api.js';
import type { SecretBox } from '../routers/secret-box.js';
import {
  checkBatchId,
  checkVoucherInput,
  createVouchers,
  exportVoucherBatch,
  listVoucherBatches,
  listVouchers,
} from '../admin/vouchers.js';
import { printableVouchers, voucherCsv, voucherSheetHtml } from '../admin/voucher-export.js';
import { oneOf, text as checkText } from '../core/validate.js';
import { UsageError, type OptionSpec, type Options } from './args.js';
import { bytes, duration, table, when } from './format.js';

/** Who the audit log says made a change from the command line. */
const ACTOR = 'cli';

/** How long `session end` / `change-package` wait to report the router's answer. */
const WAIT_FOR_ROUTER_MS = 10_000;

function describe(outcomes: ActionOutcome[]): string {
  if (outcomes.length === 0) return 'no open session to update';
  return outcomes
    .map((a) => {
      const what = a.kind === 'disconnect' ? 'Disconnect' : 'CoA';
      if (a.status === 'acked') return `${what} acknowledged by the router`;
      if (a.status === 'nakked')
        return `${what} refused by the router (Error-Cause ${a.errorCause ?? '?'} ${ERROR_CAUSES[a.errorCause ?? 0] ?? ''})`.trim();
      if (a.status === 'obsolete') return 'the session had already ended';
      if (a.status === 'failed') return `${what} failed: ${a.lastError ?? 'no reply'}`;
      return `${what} queued; no answer yet (${a.lastError ?? 'is netflow serve running?'}), NetFlow keeps retrying`;
    })
    .join('; ');
}

export interface Output {
  /** What --json prints. */
  data: unknown;
  /** What people see on stdout. */
  text: string;
  /** A line for stderr that would spoil piping stdout (e.g. next to a list of codes). */
  note?: string;
}

/** The database half of a command, returned once its flags have been checked. */
export type Step = (prisma: PrismaClient) => Promise<Output>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: OptionSpec;
  /** Bare arguments the command takes (e.g. 1 for `session end ID`). */
  positionals?: number;
  /** Input fields given as bare arguments → their name in the usage, for error messages (id → ID). */
  positionalFields?: Readonly<Record<string, string>>;
  /**
   * Reads and checks the flags, then returns the step that needs the database. Checking first
   * means a typo is reported at once, without waiting for (or starting) PostgreSQL.
   */
  prepare(opts: Options, defaults: CommandDefaults): Step;
}

/** Settings from the environment that commands fall back on. */
export interface CommandDefaults {
  /** COA_PORT: where routers added without --coa-port listen for Disconnect/CoA. */
  coaPort: number;
  /** Seals and opens router API passwords (NETFLOW_SECRET_KEY or the key file under DATA_DIR). */
  secretBox: () => Promise<SecretBox>;
}

const routerRow = (r: RouterView) => [
  String(r.id),
  r.name,
  r.ip,
  r.secretMasked,
  r.status,
  when(r.lastSeenAt),
  messageAuthenticatorState(r),
  r.acceptsTestMoney ? 'yes' : 'no',
  String(r.coaPort),
  r.api ? `api: ${r.api}` : '-',
  r.location ?? '',
];
const ROUTER_HEADERS = ['ID', 'NAME', 'IP', 'SECRET', 'STATUS', 'LAST SEEN', 'REQUIRE-MA', 'TEST MONEY', 'COA PORT', 'API', 'LOCATION'];

function statusText(rows: RouterStatusView[]): string {
  if (rows.length === 0) return 'no routers\n';
  return rows
    .map((r) => {
      const health =
        r.api === null
          ? 'api: not set (RADIUS only; set it: netflow router api NAME --user U --password P)'
          : r.reachable === null
            ? `api: ${r.api}, not checked yet`
            : r.reachable
              ? `api: ${r.api}, reachable; ${r.identity ?? '?'}, RouterOS ${r.version ?? '?'}, up ${r.uptime ?? '?'}, cpu ${r.cpuLoad ?? '?'}%, free memory ${r.freeMemory === null ? '?' : bytes(BigInt(r.freeMemory))}`
              : `api: ${r.api}, UNREACHABLE: ${r.error ?? 'no answer'}`;
      const lines = [
        `${r.name} (${r.ip})${r.unseen ? '  UNSEEN for 10+ minutes' : ''}`,
        `  ${health}`,
        `  last RADIUS packet ${when(r.lastRadiusAt)}, last API answer ${when(r.lastApiAnswerAt)}, checked ${when(r.checkedAt)}`,
        ...(r.drift.length > 0
          ? ['  DRIFT from the NetFlow script:', ...r.drift.map((d) => `    - ${d}`)]
          : r.checkedAt && r.reachable
            ? ['  setup matches the NetFlow script']
            : []),
        ...(r.lastSyncAt ? [`  last sync ${when(r.lastSyncAt)}: ${JSON.stringify(r.lastSync)}`] : []),
      ];
      return lines.join('\n') + '\n';
    })
    .join('');
}

/** "yes", "no", "auto (required)" once the router has sent one, "auto (not yet)" before. */
function messageAuthenticatorState(r: RouterView): string {
  if (r.requireMessageAuthenticator !== 'auto') return r.requireMessageAuthenticator;
  return r.messageAuthenticatorRequired ? 'auto (required)' : 'auto (not yet)';
}

/** --test / --test yes|no as a boolean; undefined when not given. */
function yesNo(o: Options, flag: string): boolean | undefined {
  const v = o.string(flag);
  if (v === undefined) return undefined;
  if (v === 'yes') return true;
  if (v === 'no') return false;
  throw new UsageError(`--${flag} must be yes or no`);
}

const packageRow = (p: PackageView) => [
  String(p.id),
  p.name,
  String(p.minutes),
  p.price,
  `${p.rateLimitUp}/${p.rateLimitDown}`,
  p.dataCapBytes === null ? 'unlimited' : formatMegabytes(p.dataCapBytes),
  String(p.devicesAllowed),
  p.idleTimeoutSeconds === null ? '-' : `${p.idleTimeoutSeconds}s`,
  p.clockStartsAt === 'first_login' ? 'first-login' : 'purchase',
  p.active ? 'yes' : 'no',
];
const PACKAGE_HEADERS = ['ID', 'NAME', 'MINUTES', 'PRICE', 'RATE UP/DOWN', 'DATA', 'DEVICES', 'IDLE', 'CLOCK', 'ACTIVE'];

const listOrNone = (what: string, headers: string[], rows: string[][]) => (rows.length === 0 ? `no ${what}\n` : table(headers, rows));

const paymentRow = (p: PaymentView) => [
  p.reference,
  when(p.createdAt),
  p.package,
  p.amount,
  p.provider,
  p.phone,
  p.failureReason && p.failureReason !== p.status ? `${p.status} (${p.failureReason})` : p.status,
  when(p.paidAt),
  p.receiptNumber ?? '-',
  [p.testMoney ? 'test money' : '', p.needsReview ? 'review' : ''].filter(Boolean).join(', ') || '-',
];
const PAYMENT_HEADERS = ['REFERENCE', 'CREATED', 'PACKAGE', 'AMOUNT', 'PROVIDER', 'PHONE', 'STATUS', 'PAID', 'RECEIPT', 'FLAGS'];

/** Under the payment list: what its paid, real-money rows add up to, per currency. */
function paidInList(payments: PaymentView[]): string {
  const sums = new Map<string, { minor: bigint; count: number }>();
  for (const p of payments) {
    if (p.status !== 'paid' || p.testMoney) continue;
    const s = sums.get(p.currency) ?? { minor: 0n, count: 0 };
    sums.set(p.currency, { minor: s.minor + BigInt(p.amountMinor), count: s.count + 1 });
  }
  const parts = [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, s]) => `${formatAmount(s.minor, currency)} (${s.count})`);
  return `paid, real money, in this list: ${parts.length === 0 ? 'none' : parts.join(', ')}\n`;
}

function revenueText(r: RevenueReport): string {
  const title = `revenue ${r.from} to ${r.to} by ${r.groupBy} (days in ${r.timeZone}; test money ${r.includeTestMoney ? 'included' : 'excluded'})\n`;
  if (r.totals.length === 0) return title + 'no paid payments\n';
  const rows = [
    ...r.rows.map((x) => [x.group, x.currency, String(x.count), x.amount]),
    ...r.totals.map((t) => ['TOTAL', t.currency, String(t.count), t.amount]),
  ];
  return title + table([r.groupBy.toUpperCase(), 'CURRENCY', 'PAYMENTS', 'AMOUNT'], rows);
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'router add',
    usage:
      '--name NAME --ip IP --secret SECRET [--require-message-authenticator yes|no|auto (default auto)] [--test] [--location TEXT] [--coa-port N (default COA_PORT, 3799)]',
    summary: 'register a MikroTik router as a RADIUS client (secret: 16+ printable characters; --test: test money works on it)',
    options: {
      name: 'string',
      ip: 'string',
      secret: 'string',
      'require-message-authenticator': 'string',
      test: 'boolean',
      location: 'string',
      'coa-port': 'string',
    },
    prepare(o, defaults) {
      const input = {
        name: o.required('name'),
        ip: o.required('ip'),
        secret: o.required('secret'),
        location: o.string('location'),
        requireMessageAuthenticator: o.string('require-message-authenticator'),
        acceptsTestMoney: o.has('test'),
        coaPort: o.integer('coa-port') ?? defaults.coaPort,
      };
      checkRouterInput(input);
      return async (prisma) => {
        const r = await addRouter(prisma, input, ACTOR);
        return { data: r, text: `router "${r.name}" added (id ${r.id}, ip ${r.ip}, secret ${r.secretMasked})\n` };
      };
    },
  },
  {
    name: 'router change',
    usage: 'NAME [--require-message-authenticator yes|no|auto] [--test yes|no]',
    summary: "change a router's Message-Authenticator requirement (auto starts over) or whether test money works on it",
    options: { 'require-message-authenticator': 'string', test: 'string' },
    positionals: 1,
    positionalFields: { name: 'NAME' },
    prepare(o) {
      const name = o.positional(0, 'NAME');
      const changes = { requireMessageAuthenticator: o.string('require-message-authenticator'), acceptsTestMoney: yesNo(o, 'test') };
      if (changes.requireMessageAuthenticator === undefined && changes.acceptsTestMoney === undefined) {
        throw new UsageError('nothing to change: give --require-message-authenticator or --test (see: netflow router change --help)');
      }
      checkRouterChanges(changes);
      return async (prisma) => {
        const r = await changeRouter(prisma, name, changes, ACTOR);
        const revoked = r.revokedTestMoneyCodes > 0 ? `; ${r.revokedTestMoneyCodes} test-money code(s) bought here revoked` : '';
        return {
          data: r,
          text: `router "${r.name}": Message-Authenticator ${messageAuthenticatorState(r)}, test money ${r.acceptsTestMoney ? 'yes' : 'no'}${revoked}\n`,
        };
      };
    },
  },
  {
    name: 'router list',
    usage: '',
    summary: 'list routers (secrets masked)',
    options: {},
    prepare: () => async (prisma) => {
      const routers = await listRouters(prisma);
      return { data: routers, text: listOrNone('routers', ROUTER_HEADERS, routers.map(routerRow)) };
    },
  },
  {
    name: 'router api',
    usage:
      'NAME --user USER --password PASSWORD [--port N (default 8728, 8729 with --tls)] [--tls] [--ca-file PEM] [--host HOST] | NAME --remove',
    summary: "set (or --remove) a router's RouterOS API login for health, live users and the fallback kick (stored encrypted, never shown)",
    options: { user: 'string', password: 'string', port: 'string', tls: 'boolean', 'ca-file': 'string', host: 'string', remove: 'boolean' },
    positionals: 1,
    positionalFields: { name: 'NAME' },
    prepare(o, defaults) {
      const name = o.positional(0, 'NAME');
      if (o.has('remove')) {
        if (o.has('user') || o.has('password')) throw new UsageError('--remove takes no other options');
        return async (prisma) => {
          const r = await removeRouterApi(prisma, name, ACTOR);
          return {
            data: r,
            text: r.removed ? `router "${r.router}": API credentials removed\n` : `router "${r.router}" had no API credentials\n`,
          };
        };
      }
      const input = {
        user: o.required('user'),
        password: o.required('password'),
        port: o.integer('port'),
        tls: o.has('tls'),
        host: o.string('host'),
        caFile: o.string('ca-file'),
      };
      checkRouterApiInput(input);
      return async (prisma) => {
        const r = await setRouterApi(prisma, name, input, await defaults.secretBox(), ACTOR);
        return { data: r, text: `router "${r.router}": api ${r.api} (password stored encrypted)\n` };
      };
    },
  },
  {
    name: 'router status',
    usage: '[NAME]',
    summary: 'router health from the RouterOS API (reachable, version, load, drift from the NetFlow script) and when each was last heard',
    options: {},
    positionals: 1,
    prepare: (o) => async (prisma) => {
      const rows = await routerStatus(prisma, o.optionalPositional(0));
      return { data: rows, text: statusText(rows) };
    },
  },
  {
    name: 'router sync',
    usage: 'NAME',
    summary:
      "compare the router's live hotspot users with NetFlow's open sessions: close sessions it no longer has, remove users NetFlow did not authorize",
    options: {},
    positionals: 1,
    positionalFields: { name: 'NAME' },
    prepare(o, defaults) {
      const name = o.positional(0, 'NAME');
      return async (prisma) => {
        const r = await syncRouter(prisma, name, defaults.secretBox, ACTOR);
        const lines = [
          `router "${r.router}": ${r.onRouter} user(s) on the router, ${r.openInNetflow} open session(s) in NetFlow`,
          ...r.closed.map(
            (c) => `  closed session ${c.sessionId} (${c.mac ?? 'no MAC'}): not on the router; stopped at ${when(c.stoppedAt)}`,
          ),
          ...r.removed.map((u) => `  removed ${u.user} (${u.mac ?? u.address ?? '?'}) from the router: ${u.reason}`),
          ...(r.closed.length === 0 && r.removed.length === 0 ? ['  nothing to do: the router and NetFlow agree'] : []),
        ];
        return { data: r, text: lines.join('\n') + '\n' };
      };
    },
  },
  {
    name: 'package add',
    usage:
      '--name NAME --minutes N --price AMOUNT --currency CODE --rate-limit UP/DOWN [--data-mb N] [--devices N] [--idle-timeout SECONDS] [--clock purchase|first-login]',
    summary: 'add a package guests can buy (price in major units, e.g. 1000 or 2.50)',
    options: {
      name: 'string',
      minutes: 'string',
      price: 'string',
      currency: 'string',
      'rate-limit': 'string',
      'data-mb': 'string',
      devices: 'string',
      'idle-timeout': 'string',
      clock: 'string',
    },
    prepare(o) {
      const input = {
        name: o.required('name'),
        minutes: o.requiredInteger('minutes'),
        price: o.required('price'),
        currency: o.required('currency'),
        rateLimit: o.required('rate-limit'),
        dataMb: o.string('data-mb'),
        devices: o.integer('devices'),
        idleTimeout: o.integer('idle-timeout'),
        clock: o.string('clock'),
      };
      checkPackageInput(input);
      return async (prisma) => {
        const p = await addPackage(prisma, input, ACTOR);
        return {
          data: p,
          text: `package "${p.name}" added (id ${p.id}, ${p.minutes} min, ${p.price}, ${p.rateLimitUp}/${p.rateLimitDown})\n`,
        };
      };
    },
  },
  {
    name: 'package list',
    usage: '',
    summary: 'list packages',
    options: {},
    prepare: () => async (prisma) => {
      const packages = await listPackages(prisma);
      return { data: packages, text: listOrNone('packages', PACKAGE_HEADERS, packages.map(packageRow)) };
    },
  },
  {
    name: 'voucher create',
    usage: '--package NAME --count N [--prefix P] [--length L] [--valid-days D]',
    summary:
      'create N voucher codes for a package and print them (clock starts at first login; unused ones stop working after --valid-days)',
    options: { package: 'string', count: 'string', prefix: 'string', length: 'string', 'valid-days': 'string' },
    prepare(o) {
      const input = {
        package: o.required('package'),
        count: o.requiredInteger('count'),
        prefix: o.string('prefix'),
        length: o.integer('length'),
        validDays: o.integer('valid-days'),
      };
      checkVoucherInput(input);
      return async (prisma) => {
        const batch = await createVouchers(prisma, input, ACTOR);
        const until = batch.validUntil === null ? '' : `, redeem by ${when(batch.validUntil)}`;
        return {
          data: batch,
          // Only the codes on stdout, so `netflow voucher create … > codes.txt` is ready to print.
          text: batch.codes.join('\n') + '\n',
          note: `created ${batch.codes.length} voucher${batch.codes.length === 1 ? '' : 's'} for package "${batch.package}" (batch ${batch.batchId}${until})`,
        };
      };
    },
  },
  {
    name: 'voucher batches',
    usage: '',
    summary: 'list voucher batches, newest first, with how many are unused, in use, expired or revoked',
    options: {},
    prepare: () => async (prisma) => {
      const batches = await listVoucherBatches(prisma);
      const rows = batches.map((b) => [
        String(b.id),
        b.package,
        String(b.count),
        String(b.unused),
        String(b.inUse),
        String(b.expired),
        String(b.revoked),
        b.prefix || '-',
        when(b.validUntil),
        when(b.createdAt),
        b.createdBy ?? '-',
      ]);
      const headers = ['ID', 'PACKAGE', 'COUNT', 'UNUSED', 'IN USE', 'EXPIRED', 'REVOKED', 'PREFIX', 'VALID UNTIL', 'CREATED', 'BY'];
      return { data: batches, text: listOrNone('voucher batches', headers, rows) };
    },
  },
  {
    name: 'voucher export',
    usage: '--batch ID [--format csv|html] [--site NAME]',
    summary: 'write a batch to stdout: CSV (every voucher, with status) or a printable A4 HTML sheet of the unused ones',
    options: { batch: 'string', format: 'string', site: 'string' },
    prepare(o) {
      const batchId = checkBatchId(o.requiredInteger('batch'));
      const format = oneOf('format', o.string('format') ?? 'csv', ['csv', 'html'] as const);
      const siteFlag = o.string('site');
      if (siteFlag !== undefined && format !== 'html') throw new UsageError('--site only applies to --format html');
      const site = siteFlag === undefined ? undefined : checkText('site', siteFlag, 64);
      return async (prisma) => {
        const batch = await exportVoucherBatch(prisma, batchId, o.has('json') ? 'json' : format, ACTOR);
        if (format === 'csv') {
          return { data: batch, text: voucherCsv(batch), note: `exported ${batch.vouchers.length} vouchers of batch ${batchId} as CSV` };
        }
        const printed = printableVouchers(batch).length;
        const skipped = batch.vouchers.length - printed;
        return {
          data: batch,
          text: voucherSheetHtml(batch, { site }),
          note:
            `${printed} unused vouchers of batch ${batchId} on the sheet` +
            (skipped > 0 ? `; ${skipped} in use, expired or revoked left out` : ''),
        };
      };
    },
  },
  {
    name: 'voucher list',
    usage: '[--batch ID]',
    summary: 'list vouchers with their status (unused, in use, expired, revoked), optionally of one batch',
    options: { batch: 'string' },
    prepare(o) {
      const raw = o.integer('batch');
      const batchId = raw === undefined ? undefined : checkBatchId(raw);
      return async (prisma) => {
        const vouchers = await listVouchers(prisma, { batchId });
        const rows = vouchers.map((v) => [v.code, v.package, String(v.batchId), v.status, when(v.startsAt), when(v.expiresAt)]);
        return { data: vouchers, text: listOrNone('vouchers', ['CODE', 'PACKAGE', 'BATCH', 'STATUS', 'STARTED', 'EXPIRES'], rows) };
      };
    },
  },
  {
    name: 'payment list',
    usage: '[--status pending|paid|failed|expired] [--since YYYY-MM-DD] [--limit N (default 50)]',
    summary: 'list mobile-money payments, newest first, with amount, masked phone, status and receipt',
    options: { status: 'string', since: 'string', limit: 'string' },
    prepare(o) {
      const input = checkPaymentListInput({ status: o.string('status'), since: o.string('since'), limit: o.integer('limit') });
      return async (prisma) => {
        const payments = await listPayments(prisma, input);
        return {
          data: payments,
          text: payments.length === 0 ? 'no payments\n' : table(PAYMENT_HEADERS, payments.map(paymentRow)) + paidInList(payments),
        };
      };
    },
  },
  {
    name: 'payment revenue',
    usage: '[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--by day|package|provider] [--include-test-money] [--tz ZONE]',
    summary:
      'paid revenue per day, package or provider with totals per currency (default: the last 30 days by day, in the local time zone)',
    options: { from: 'string', to: 'string', by: 'string', 'include-test-money': 'boolean', tz: 'string' },
    prepare(o) {
      const by = o.string('by');
      const tz = o.string('tz');
      const input = checkRevenueInput({
        from: o.string('from'),
        to: o.string('to'),
        groupBy: by === undefined ? undefined : oneOf('by', by, REVENUE_GROUPS),
        includeTestMoney: o.has('include-test-money'),
        timeZone: tz === undefined ? undefined : checkTimeZone(tz, 'tz'),
      });
      return async (prisma) => {
        const report = await revenue(prisma, input);
        return { data: report, text: revenueText(report) };
      };
    },
  },
  {
    name: 'session list',
    usage: '[--active]',
    summary: 'list hotspot sessions, newest first (--active: only open ones)',
    options: { active: 'boolean' },
    prepare: (o) => async (prisma) => {
      const sessions = await listSessions(prisma, { active: o.has('active') });
      const rows = sessions.map((s) => [
        String(s.id),
        s.router,
        s.code ?? `(${s.userName})`,
        s.mac ?? '-',
        s.framedIp ?? '-',
        s.status,
        when(s.startedAt),
        duration(s.sessionTime),
        bytes(s.bytesUp),
        bytes(s.bytesDown),
      ]);
      return {
        data: sessions,
        text: listOrNone('sessions', ['ID', 'ROUTER', 'CODE', 'MAC', 'IP', 'STATUS', 'STARTED', 'TIME', 'UP', 'DOWN'], rows),
      };
    },
  },
  {
    name: 'session end',
    usage: 'ID',
    summary: "end a guest's session now: the router gets a Disconnect-Request (needs `netflow serve` running)",
    options: {},
    positionals: 1,
    positionalFields: { id: 'ID' },
    prepare(o) {
      const id = o.positional(0, 'ID');
      return async (prisma) => {
        const request = await endSession(prisma, { id }, ACTOR);
        const outcomes = await waitForActions(prisma, request.actionIds, WAIT_FOR_ROUTER_MS);
        return { data: { ...request, outcomes }, text: `session ${id}: ${describe(outcomes)}\n` };
      };
    },
  },
  {
    name: 'session change-package',
    usage: 'ID --package NAME',
    summary: "move a live session's code to another package; the router gets a CoA-Request with the new limits",
    options: { package: 'string' },
    positionals: 1,
    positionalFields: { id: 'ID' },
    prepare(o) {
      const input = { id: o.positional(0, 'ID'), package: o.required('package') };
      return async (prisma) => {
        const request = await changeSessionPackage(prisma, input, ACTOR);
        const outcomes = await waitForActions(prisma, request.actionIds, WAIT_FOR_ROUTER_MS);
        const expiry = request.expiresAt ? `, expires ${when(request.expiresAt)}` : '';
        return {
          data: { ...request, outcomes },
          text: `session ${input.id}: now on "${request.package}"${expiry}; ${describe(outcomes)}\n`,
        };
      };
    },
  },
  {
    name: 'admin create',
    usage: '--email EMAIL --password PASSWORD --role admin|operator|viewer',
    summary: 'create a dashboard account (password: 10+ characters)',
    options: { email: 'string', password: 'string', role: 'string' },
    prepare(o) {
      const input = { email: o.required('email'), password: o.required('password'), role: o.required('role') };
      checkAdminInput(input);
      return async (prisma) => {
        const a = await createAdmin(prisma, input, ACTOR);
        return { data: a, text: `admin ${a.email} created (id ${a.id}, role ${a.role})\n` };
      };
    },
  },
];

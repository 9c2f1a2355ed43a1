// A MikroTik RouterOS v7 hotspot as a RADIUS server sees it: Access-Requests shaped like the
// router's (PAP, http-chap, MAC), active sessions that obey the Access-Accept (Session-Timeout,
// Idle-Timeout, Mikrotik-Total-Limit, Acct-Interim-Interval, Class), and accounting Start /
// Interim-Update / Stop (+ Accounting-On/Off) retried until acknowledged. Sources for each
// behaviour are the checklist items cited inline (../shared/notes/radius-checklist.md) and the
// MikroTik RADIUS client documentation; README.md lists where this deliberately differs.
import { randomInt } from 'node:crypto';
import { CODE } from '../../src/radius/codes.js';
import type { Attribute } from '../../src/radius/encode.js';
import { normalizeMac, splitOctets64 } from '../../src/radius/values.js';
import { ACCT_STATUS, authorizationFromAccept, formatMac, replyMessageOf, TERMINATE_CAUSE, type Authorization } from './authorization.js';
import { chapPasswordFromPost, browserChapResponse, newChapChallenge, type ChapChallenge } from './chap.js';
import { realClock, type Cancel, type Clock } from './clock.js';
import { EventLog, type SimEvent, type SimEventType, type EventListener } from './events.js';
import { RadiusPeer, type PeerOutcome } from './radius-peer.js';
import { TrafficMeter, type TrafficRates } from './traffic.js';

/** What the hotspot needs of its RADIUS client: RadiusPeer (UDP), or RadsecPeer (TLS) for both ports. */
export type RadiusTransport = Pick<RadiusPeer, 'request' | 'stats' | 'inFlight' | 'idle' | 'close'>;

export interface HotspotConfig {
  /**
   * One client for authentication and accounting instead of the two UDP ones (RadSec:
   * `/radius add protocol=radsec`, tools/nas-sim/radsec-client.ts). `secret` and the ports are then unused.
   */
  transport?: RadiusTransport;
  /** NetFlow's address and shared secret (`/radius add address=… secret=…`). */
  server: string;
  secret: string;
  authPort?: number;
  acctPort?: number;
  /** Local address the RADIUS packets come from (`/radius src-address`); NetFlow matches routers by it. */
  bindAddress?: string;
  /** NAS-IP-Address; defaults to bindAddress, else 127.0.0.1. */
  nasIp?: string;
  /** NAS-Identifier = `/system identity` (RouterOS default "MikroTik"). */
  nasIdentifier?: string;
  /** Called-Station-Id = the hotspot server's name (`/ip hotspot name`, default "hotspot1"). */
  hotspotName?: string;
  /** NAS-Port-Id = the hotspot interface. */
  interfaceName?: string;
  /** NAS-Port-Type (`/ip hotspot profile nas-port-type`): 19 Wireless-802.11 (default), 15 Ethernet, 17 Cable. */
  nasPortType?: number;
  /** The hotspot's own address on the guest LAN (WISPr-Logoff-URL, default 10.5.50.1). */
  hotspotAddress?: string;
  /** First guest address handed out when a login names no IP (default 10.5.50.2). */
  poolStart?: string;
  clock?: Clock;
  /** `/radius timeout` per try (ms) and tries per round. */
  timeoutMs?: number;
  tries?: number;
  /** Message-Authenticator in Access-Request and required in replies (RouterOS 7.15+ `require-message-auth` default). */
  messageAuthenticator?: boolean;
  /** Message-Authenticator in Accounting-Requests too (not known for RouterOS; off by default). */
  accountingMessageAuthenticator?: boolean;
  /** `radius-accounting` (default yes). */
  accounting?: boolean;
  /** `radius-interim-update`: 'received' (default) uses Acct-Interim-Interval; a number of seconds overrides it. */
  interimUpdate?: 'received' | number;
  /** Send Accounting-On at start and Accounting-Off at stop. */
  accountingOnOff?: boolean;
  /** Add Event-Timestamp to accounting (RouterOS's documented attribute list has none; off by default). */
  eventTimestamp?: boolean;
  /** `radius-mac-format` for MAC login User-Name (default XX:XX:XX:XX:XX:XX). */
  macFormat?: string;
  /** `mac-auth-mode`: mac-as-username (password = macAuthPassword, default empty) or mac-as-username-and-password. */
  macAuthMode?: 'mac-as-username' | 'mac-as-username-and-password';
  macAuthPassword?: string;
  /** Acct-Terminate-Cause when Mikrotik-Total-Limit is reached (unverified for RouterOS; README). */
  totalLimitTerminateCause?: number;
  /** Traffic a new session starts with unless the login names its own. */
  defaultTraffic?: TrafficRates;
  /** Acct-Session-Id = "80" + boot digit + 5 hex digits of a per-session counter (checklist item 17). */
  bootId?: number;
  sessionCounterStart?: number;
  /** Give up an accounting packet after this many rounds of `tries` (default: never, like RouterOS). */
  maxAccountingRounds?: number;
  eventLogSize?: number;
}

export type LoginMethod = 'pap' | 'chap' | 'http-chap' | 'mac';

interface LoginBase {
  mac: string;
  /** Guest IP (Framed-IP-Address); from the pool when omitted. */
  ip?: string;
  traffic?: TrafficRates;
}

export type LoginRequest =
  | (LoginBase & { method: 'pap'; username: string; password: string })
  /** http-chap where the simulator plays the browser too: it makes the challenge and computes the hex response. */
  | (LoginBase & { method: 'chap'; username: string; password: string })
  /** http-chap as posted by a real login page: the challenge it was shown and the hex MD5 it computed. */
  | (LoginBase & { method: 'http-chap'; username: string; chap: ChapChallenge; response: string })
  | (LoginBase & { method: 'mac' });

export type LoginResult =
  | { ok: true; session: SessionView; alreadyActive: boolean }
  | { ok: false; reason: 'rejected' | 'no-response' | 'bad-request'; replyMessage: string | null };

export interface SessionSelector {
  acctSessionId?: string;
  userName?: string;
  framedIp?: string;
  /** Any MAC notation. */
  callingStationId?: string;
}

export interface SessionChange {
  rateLimit?: string;
  sessionTimeout?: number;
  idleTimeout?: number;
}

export interface SessionView {
  acctSessionId: string;
  userName: string;
  mac: string;
  ip: string;
  method: LoginMethod;
  startedAt: Date;
  uptimeSeconds: number;
  /** What the Accept (or a later CoA) set; interimInterval is the one in use (--interim may override). */
  limits: Omit<Authorization, 'classes' | 'replyMessage'>;
  /** Seconds left before Session-Timeout, null without one. */
  sessionTimeLeft: number | null;
  counters: { bytesIn: bigint; bytesOut: bigint; packetsIn: bigint; packetsOut: bigint };
  traffic: TrafficRates;
  classes: string[];
  replyMessage: string | null;
}

interface Session {
  acctSessionId: string;
  nasPort: number;
  userName: string;
  mac: string;
  ip: string;
  method: LoginMethod;
  startedAt: number;
  auth: Authorization;
  meter: TrafficMeter;
  /** When traffic from the guest last stopped (for Idle-Timeout). */
  idleSince: number;
  timers: { session?: Cancel; idle?: Cancel; interim?: Cancel; cap?: Cancel };
  /** Accounting for one session goes out in order: Start, Interims, Stop. */
  acctChain: Promise<void>;
  ended: boolean;
}

interface AccountingJob {
  label: 'start' | 'interim' | 'stop' | 'accounting-on' | 'accounting-off';
  session: Session | null;
  /** Clock time of the event; Acct-Delay-Time is measured from it. */
  eventAt: number;
  attributes: Attribute[];
}

const DEFAULT_TRAFFIC: TrafficRates = { upBps: 2_000, downBps: 20_000 };

export class Hotspot {
  readonly clock: Clock;
  readonly log: EventLog;
  private readonly cfg: Required<Omit<HotspotConfig, 'bindAddress' | 'maxAccountingRounds' | 'clock' | 'transport'>> &
    Pick<HotspotConfig, 'bindAddress' | 'maxAccountingRounds'>;
  private readonly active = new Map<string, Session>();
  private readonly byMac = new Map<string, Session>();
  private readonly loginsInProgress = new Set<string>();
  private globalAcctChain: Promise<void> = Promise.resolve();
  private pendingJobs = 0;
  private pendingLogins = 0;
  private readonly settleWaiters: Array<() => void> = [];
  private sessionCounter: number;
  private nextHost: number;
  private stopping = false;

  private constructor(
    config: HotspotConfig,
    private readonly authPeer: RadiusTransport,
    private readonly acctPeer: RadiusTransport,
  ) {
    this.clock = config.clock ?? realClock;
    const nasIp = config.nasIp ?? config.bindAddress ?? '127.0.0.1';
    this.cfg = {
      server: config.server,
      secret: config.secret,
      authPort: config.authPort ?? 1812,
      acctPort: config.acctPort ?? 1813,
      bindAddress: config.bindAddress,
      nasIp,
      nasIdentifier: config.nasIdentifier ?? 'MikroTik',
      hotspotName: config.hotspotName ?? 'hotspot1',
      interfaceName: config.interfaceName ?? 'bridge-hotspot',
      nasPortType: config.nasPortType ?? 19,
      hotspotAddress: config.hotspotAddress ?? '10.5.50.1',
      poolStart: config.poolStart ?? '10.5.50.2',
      timeoutMs: config.timeoutMs ?? 1100,
      tries: config.tries ?? 3,
      messageAuthenticator: config.messageAuthenticator ?? true,
      accountingMessageAuthenticator: config.accountingMessageAuthenticator ?? false,
      accounting: config.accounting ?? true,
      interimUpdate: config.interimUpdate ?? 'received',
      accountingOnOff: config.accountingOnOff ?? false,
      eventTimestamp: config.eventTimestamp ?? false,
      macFormat: config.macFormat ?? 'XX:XX:XX:XX:XX:XX',
      macAuthMode: config.macAuthMode ?? 'mac-as-username',
      macAuthPassword: config.macAuthPassword ?? '',
      totalLimitTerminateCause: config.totalLimitTerminateCause ?? TERMINATE_CAUSE.sessionTimeout,
      defaultTraffic: config.defaultTraffic ?? DEFAULT_TRAFFIC,
      bootId: (config.bootId ?? randomInt(16)) & 0xf,
      sessionCounterStart: config.sessionCounterStart ?? randomInt(1, 0x80000),
      maxAccountingRounds: config.maxAccountingRounds,
      eventLogSize: config.eventLogSize ?? 10_000,
    };
    this.sessionCounter = this.cfg.sessionCounterStart;
    this.nextHost = ipToInt(this.cfg.poolStart);
    this.log = new EventLog(() => this.clock.now(), this.cfg.eventLogSize);
  }

  /** Opens the RADIUS client sockets and, if configured, announces the NAS with Accounting-On. */
  static async start(config: HotspotConfig): Promise<Hotspot> {
    const clock = config.clock ?? realClock;
    const common = {
      host: config.server,
      secret: config.secret,
      bindAddress: config.bindAddress,
      clock,
      timeoutMs: config.timeoutMs,
      tries: config.tries,
    };
    let hotspot: Hotspot | undefined;
    const onBadReply = (port: 'auth' | 'acct') => (reason: string, from: string) =>
      hotspot?.log.record('bad-reply', { port, reason, from });
    const authPeer =
      config.transport ??
      (await RadiusPeer.open({
        ...common,
        port: config.authPort ?? 1812,
        requireReplyMessageAuthenticator: config.messageAuthenticator ?? true,
        onBadReply: onBadReply('auth'),
      }));
    const acctPeer =
      config.transport ?? (await RadiusPeer.open({ ...common, port: config.acctPort ?? 1813, onBadReply: onBadReply('acct') }));
    hotspot = new Hotspot(config, authPeer, acctPeer);
    hotspot.log.record('started', {
      nasIp: hotspot.cfg.nasIp,
      nasIdentifier: hotspot.cfg.nasIdentifier,
      hotspot: hotspot.cfg.hotspotName,
      server: config.server,
    });
    if (hotspot.cfg.accounting && hotspot.cfg.accountingOnOff) hotspot.enqueueGlobal('accounting-on', ACCT_STATUS.accountingOn);
    return hotspot;
  }

  /** NAS identification, as a Disconnect/CoA must match it (RFC 5176 §3). */
  identity(): { nasIp: string; nasIdentifier: string; hotspotName: string } {
    return { nasIp: this.cfg.nasIp, nasIdentifier: this.cfg.nasIdentifier, hotspotName: this.cfg.hotspotName };
  }

  /** The hotspot profile's login-by ordering is the caller's business; this performs one RADIUS login. */
  async login(req: LoginRequest): Promise<LoginResult> {
    const mac = normalizeMac(req.mac);
    if (!mac) return { ok: false, reason: 'bad-request', replyMessage: `not a MAC address: ${req.mac}` };
    const existing = this.byMac.get(mac);
    if (existing) return { ok: true, session: this.view(existing), alreadyActive: true };
    if (this.loginsInProgress.has(mac) || this.stopping)
      return { ok: false, reason: 'bad-request', replyMessage: 'login already in progress' };
    this.loginsInProgress.add(mac);
    this.pendingLogins++;
    try {
      return await this.performLogin(req, mac);
    } finally {
      this.loginsInProgress.delete(mac);
      this.pendingLogins--;
      this.maybeSettled();
    }
  }

  private async performLogin(req: LoginRequest, mac: string): Promise<LoginResult> {
    const ip = req.ip ?? this.allocateIp();
    const acctSessionId = this.nextSessionId();
    let userName: string;
    let credentials: Attribute[];
    switch (req.method) {
      case 'pap':
        userName = req.username;
        credentials = [['User-Password', req.password]];
        break;
      case 'chap': {
        const chap = newChapChallenge();
        userName = req.username;
        credentials = [
          ['CHAP-Password', chapPasswordFromPost(chap, browserChapResponse(chap, req.password))!],
          ['CHAP-Challenge', chap.challenge],
        ];
        break;
      }
      case 'http-chap': {
        const chapPassword = chapPasswordFromPost(req.chap, req.response);
        if (!chapPassword) return { ok: false, reason: 'bad-request', replyMessage: 'invalid password' };
        userName = req.username;
        credentials = [
          ['CHAP-Password', chapPassword],
          ['CHAP-Challenge', req.chap.challenge],
        ];
        break;
      }
      case 'mac':
        userName = formatMac(mac, this.cfg.macFormat);
        credentials = [['User-Password', this.cfg.macAuthMode === 'mac-as-username-and-password' ? userName : this.cfg.macAuthPassword]];
        break;
    }
    const nasPort = parseInt(acctSessionId, 16);
    // Attribute order of a RouterOS hotspot Access-Request (captures in checklist §3.2, item 37).
    const attributes: Attribute[] = [
      ['User-Name', userName],
      ...credentials,
      ...this.sessionIdentity({ userName, mac, ip, acctSessionId, nasPort }),
    ];
    const outcome = await this.authPeer.request({
      code: CODE.accessRequest,
      attributes,
      messageAuthenticator: this.cfg.messageAuthenticator,
    });
    if (!outcome.ok) {
      this.log.record('login-no-response', { user: userName, mac, method: req.method, attempts: outcome.attempts });
      return { ok: false, reason: 'no-response', replyMessage: null };
    }
    if (outcome.reply.code !== CODE.accessAccept) {
      // Access-Challenge is not used by the hotspot (no EAP); treated like a reject.
      const replyMessage = replyMessageOf(outcome.reply);
      this.log.record('login-reject', { user: userName, mac, method: req.method, message: replyMessage });
      return { ok: false, reason: 'rejected', replyMessage };
    }
    if (this.stopping) return { ok: false, reason: 'bad-request', replyMessage: 'hotspot stopping' };
    const session = this.createSession({
      acctSessionId,
      nasPort,
      userName,
      mac,
      ip,
      method: req.method,
      auth: authorizationFromAccept(outcome.reply),
      traffic: req.traffic,
    });
    return { ok: true, session: this.view(session), alreadyActive: false };
  }

  /** The attributes every request about a session carries after User-Name and the password. */
  private sessionIdentity(s: { userName: string; mac: string; ip: string; acctSessionId: string; nasPort: number }): Attribute[] {
    return [
      ['NAS-Port-Type', this.cfg.nasPortType],
      ['Calling-Station-Id', s.mac],
      ['Called-Station-Id', this.cfg.hotspotName],
      ['NAS-Port-Id', this.cfg.interfaceName],
      ['NAS-Port', s.nasPort],
      ['Acct-Session-Id', s.acctSessionId],
      ['Framed-IP-Address', s.ip],
      ['Mikrotik-Host-IP', s.ip],
      ['Service-Type', 1], // Login-User
      ['WISPr-Logoff-URL', `http://${this.cfg.hotspotAddress}/logout`],
      ['NAS-Identifier', this.cfg.nasIdentifier],
      ['NAS-IP-Address', this.cfg.nasIp],
    ];
  }

  private createSession(init: {
    acctSessionId: string;
    nasPort: number;
    userName: string;
    mac: string;
    ip: string;
    method: LoginMethod;
    auth: Authorization;
    traffic?: TrafficRates;
  }): Session {
    const now = this.nowMs();
    const s: Session = {
      ...init,
      startedAt: now,
      meter: new TrafficMeter(now, init.traffic ?? this.cfg.defaultTraffic),
      idleSince: now,
      timers: {},
      // After any Accounting-On, or the server would close this session when the On arrives.
      acctChain: this.globalAcctChain,
      ended: false,
    };
    this.active.set(s.acctSessionId, s);
    this.byMac.set(s.mac, s);
    this.log.record('login', {
      user: s.userName,
      mac: s.mac,
      ip: s.ip,
      method: s.method,
      session: s.acctSessionId,
      sessionTimeout: s.auth.sessionTimeout,
      idleTimeout: s.auth.idleTimeout,
      interim: this.interimSeconds(s),
      rateLimit: s.auth.rateLimit,
      totalLimit: s.auth.totalLimit,
      class: s.auth.classes.map((c) => c.toString('latin1')).join(',') || null,
    });
    if (this.cfg.accounting) this.enqueueSession(s, 'start', ACCT_STATUS.start);
    this.armSessionTimer(s);
    this.armIdleTimer(s);
    this.armCapTimer(s);
    this.armInterimTimer(s);
    return s;
  }

  // ---- timers -------------------------------------------------------------------------------

  private armSessionTimer(s: Session): void {
    s.timers.session?.();
    s.timers.session = undefined;
    if (s.auth.sessionTimeout === null) return;
    const left = s.startedAt + s.auth.sessionTimeout * 1000 - this.nowMs();
    if (left <= 0) return void this.endSession(s, TERMINATE_CAUSE.sessionTimeout);
    s.timers.session = this.clock.setTimer(left, () => this.endSession(s, TERMINATE_CAUSE.sessionTimeout));
  }

  /** RouterOS: idle-timeout counts while no traffic comes from the guest (hotspot profile doc). */
  private armIdleTimer(s: Session): void {
    s.timers.idle?.();
    s.timers.idle = undefined;
    if (s.auth.idleTimeout === null || s.meter.rates().upBps > 0) return;
    const left = s.idleSince + s.auth.idleTimeout * 1000 - this.nowMs();
    if (left <= 0) return void this.endSession(s, TERMINATE_CAUSE.idleTimeout);
    s.timers.idle = this.clock.setTimer(left, () => this.endSession(s, TERMINATE_CAUSE.idleTimeout));
  }

  private armCapTimer(s: Session): void {
    s.timers.cap?.();
    s.timers.cap = undefined;
    if (s.auth.totalLimit === null) return;
    s.meter.advanceTo(this.nowMs());
    const ms = s.meter.msUntilTotal(s.auth.totalLimit);
    if (ms === null) return;
    if (ms <= 0) return void this.endSession(s, this.cfg.totalLimitTerminateCause, 'total-limit');
    s.timers.cap = this.clock.setTimer(ms, () => this.endSession(s, this.cfg.totalLimitTerminateCause, 'total-limit'));
  }

  private interimSeconds(s: Session): number | null {
    if (!this.cfg.accounting) return null;
    return this.cfg.interimUpdate === 'received' ? s.auth.interimInterval : this.cfg.interimUpdate || null;
  }

  private armInterimTimer(s: Session): void {
    s.timers.interim?.();
    s.timers.interim = undefined;
    const seconds = this.interimSeconds(s);
    if (!seconds) return;
    s.timers.interim = this.clock.setTimer(seconds * 1000, () => {
      if (s.ended) return;
      this.enqueueSession(s, 'interim', ACCT_STATUS.interim);
      this.armInterimTimer(s);
    });
  }

  // ---- session control ------------------------------------------------------------------------

  /** Ends a session: Stop with the given Acct-Terminate-Cause. Resolves when the Stop is acknowledged. */
  private endSession(s: Session, cause: number, reason?: string): Promise<void> {
    if (s.ended) return s.acctChain;
    s.ended = true;
    for (const cancel of Object.values(s.timers)) cancel?.();
    s.timers = {};
    s.meter.advanceTo(this.nowMs());
    this.active.delete(s.acctSessionId);
    if (this.byMac.get(s.mac) === s) this.byMac.delete(s.mac);
    this.log.record('logout', {
      user: s.userName,
      mac: s.mac,
      session: s.acctSessionId,
      cause,
      reason: reason ?? causeName(cause),
      uptime: Math.floor((this.nowMs() - s.startedAt) / 1000),
      bytesIn: s.meter.bytesIn(),
      bytesOut: s.meter.bytesOut(),
    });
    if (this.cfg.accounting) this.enqueueSession(s, 'stop', ACCT_STATUS.stop, cause);
    return s.acctChain;
  }

  /** Guest logout (`/logout`): Stop with User-Request. */
  logout(idOrMac: string, cause: number = TERMINATE_CAUSE.userRequest): Promise<boolean> {
    const s = this.lookup(idOrMac);
    if (!s) return Promise.resolve(false);
    return this.endSession(s, cause).then(() => true);
  }

  /** Admin removal, as after a Disconnect-Request: Stop with Admin-Reset. */
  disconnect(acctSessionId: string): boolean {
    const s = this.active.get(acctSessionId);
    if (!s) return false;
    void this.endSession(s, TERMINATE_CAUSE.adminReset);
    return true;
  }

  /** CoA: a new rate limit (recorded), Session-Timeout (from login) or Idle-Timeout. */
  change(acctSessionId: string, change: SessionChange): boolean {
    const s = this.active.get(acctSessionId);
    if (!s) return false;
    if (change.rateLimit !== undefined) s.auth.rateLimit = change.rateLimit;
    if (change.idleTimeout !== undefined) s.auth.idleTimeout = change.idleTimeout || null;
    if (change.sessionTimeout !== undefined) s.auth.sessionTimeout = change.sessionTimeout || null;
    this.log.record('coa-applied', {
      session: s.acctSessionId,
      user: s.userName,
      rateLimit: change.rateLimit,
      sessionTimeout: change.sessionTimeout,
      idleTimeout: change.idleTimeout,
    });
    if (change.idleTimeout !== undefined) this.armIdleTimer(s);
    if (change.sessionTimeout !== undefined) this.armSessionTimer(s);
    return true;
  }

  /** Changes a guest's traffic model from now on. */
  setTraffic(idOrMac: string, rates: TrafficRates): boolean {
    const s = this.lookup(idOrMac);
    if (!s) return false;
    const now = this.nowMs();
    const wasIdle = s.meter.rates().upBps === 0;
    s.meter.setRates(now, rates);
    if (!wasIdle && rates.upBps === 0) s.idleSince = now;
    this.log.record('traffic', { session: s.acctSessionId, upBps: rates.upBps, downBps: rates.downBps });
    this.armIdleTimer(s);
    this.armCapTimer(s);
    return true;
  }

  /** Sessions where every given identifier matches (RFC 5176 §3 session identification). */
  findSessions(sel: SessionSelector): SessionView[] {
    const mac = sel.callingStationId === undefined ? undefined : normalizeMac(sel.callingStationId);
    if (sel.callingStationId !== undefined && mac === null) return [];
    const out: SessionView[] = [];
    for (const s of this.active.values()) {
      if (sel.acctSessionId !== undefined && s.acctSessionId !== sel.acctSessionId) continue;
      if (sel.userName !== undefined && s.userName !== sel.userName) continue;
      if (sel.framedIp !== undefined && s.ip !== sel.framedIp) continue;
      if (mac !== undefined && s.mac !== mac) continue;
      out.push(this.view(s));
    }
    return out;
  }

  sessions(): SessionView[] {
    return [...this.active.values()].map((s) => this.view(s));
  }

  session(idOrMac: string): SessionView | null {
    const s = this.lookup(idOrMac);
    return s ? this.view(s) : null;
  }

  events(type?: SimEventType): SimEvent[] {
    return this.log.list(type);
  }

  onEvent(listener: EventListener): () => void {
    return this.log.subscribe(listener);
  }

  /** `/radius monitor` for the auth and acct ports. */
  radiusStats() {
    return { auth: this.authPeer.stats(), acct: this.acctPeer.stats() };
  }

  private lookup(idOrMac: string): Session | undefined {
    return this.active.get(idOrMac) ?? this.byMac.get(normalizeMac(idOrMac) ?? '');
  }

  private view(s: Session): SessionView {
    const now = this.nowMs();
    if (!s.ended) s.meter.advanceTo(now);
    return {
      acctSessionId: s.acctSessionId,
      userName: s.userName,
      mac: s.mac,
      ip: s.ip,
      method: s.method,
      startedAt: new Date(s.startedAt),
      uptimeSeconds: Math.floor((now - s.startedAt) / 1000),
      limits: {
        sessionTimeout: s.auth.sessionTimeout,
        idleTimeout: s.auth.idleTimeout,
        interimInterval: this.interimSeconds(s),
        rateLimit: s.auth.rateLimit,
        totalLimit: s.auth.totalLimit,
        group: s.auth.group,
      },
      sessionTimeLeft:
        s.auth.sessionTimeout === null ? null : Math.max(0, Math.ceil((s.startedAt + s.auth.sessionTimeout * 1000 - now) / 1000)),
      counters: {
        bytesIn: s.meter.bytesIn(),
        bytesOut: s.meter.bytesOut(),
        packetsIn: s.meter.packetsIn(),
        packetsOut: s.meter.packetsOut(),
      },
      traffic: s.meter.rates(),
      classes: s.auth.classes.map((c) => c.toString('latin1')),
      replyMessage: s.auth.replyMessage,
    };
  }

  // ---- accounting -------------------------------------------------------------------------------

  /** Snapshot now, send later: an Interim's counters are those of the moment it fell due. */
  private enqueueSession(s: Session, label: 'start' | 'interim' | 'stop', status: number, cause?: number): void {
    const now = this.nowMs();
    s.meter.advanceTo(now);
    const attributes: Attribute[] = [['Acct-Status-Type', status], ['User-Name', s.userName], ...this.sessionIdentity(s)];
    if (status !== ACCT_STATUS.start) {
      const up = splitOctets64(s.meter.bytesIn());
      const down = splitOctets64(s.meter.bytesOut());
      attributes.push(
        ['Acct-Session-Time', Math.floor((now - s.startedAt) / 1000)],
        ['Acct-Input-Octets', up.low],
        ['Acct-Input-Gigawords', up.gigawords],
        ['Acct-Input-Packets', Number(s.meter.packetsIn() % (1n << 32n))],
        ['Acct-Output-Octets', down.low],
        ['Acct-Output-Gigawords', down.gigawords],
        ['Acct-Output-Packets', Number(s.meter.packetsOut() % (1n << 32n))],
      );
    }
    if (cause !== undefined) attributes.push(['Acct-Terminate-Cause', cause]);
    for (const c of s.auth.classes) attributes.push(['Class', c]);
    const job: AccountingJob = { label, session: s, eventAt: now, attributes };
    this.pendingJobs++;
    s.acctChain = s.acctChain.then(() => this.deliver(job)).finally(() => this.jobDone());
  }

  private enqueueGlobal(label: 'accounting-on' | 'accounting-off', status: number): Promise<void> {
    const job: AccountingJob = {
      label,
      session: null,
      eventAt: this.nowMs(),
      attributes: [
        ['Acct-Status-Type', status],
        ['Acct-Session-Id', `80${this.cfg.bootId.toString(16)}00000`],
        ['NAS-Identifier', this.cfg.nasIdentifier],
        ['NAS-IP-Address', this.cfg.nasIp],
      ],
    };
    this.pendingJobs++;
    this.globalAcctChain = this.globalAcctChain.then(() => this.deliver(job)).finally(() => this.jobDone());
    return this.globalAcctChain;
  }

  /**
   * Sends until acknowledged. Each round is `tries` sends of identical bytes; a new round is a
   * new packet (fresh Identifier) whose Acct-Delay-Time says how long the router has been
   * trying (RFC 2866 §5.2; MikroTik doc: "how long the router tries to send this request").
   */
  private async deliver(job: AccountingJob): Promise<void> {
    for (let round = 1; ; round++) {
      const delay = Math.max(0, Math.floor((this.nowMs() - job.eventAt) / 1000));
      const attributes: Attribute[] = [...job.attributes, ['Acct-Delay-Time', delay]];
      if (this.cfg.eventTimestamp) attributes.push(['Event-Timestamp', uint32(Math.floor(job.eventAt / 1000))]);
      let outcome: PeerOutcome;
      try {
        outcome = await this.acctPeer.request({
          code: CODE.accountingRequest,
          attributes,
          messageAuthenticator: this.cfg.accountingMessageAuthenticator,
        });
      } catch {
        return; // peer closed
      }
      const fields = {
        kind: job.label,
        session: job.session?.acctSessionId,
        user: job.session?.userName,
        delay,
        attempts: outcome.attempts,
      };
      if (outcome.ok) {
        this.log.record('acct-ack', fields);
        return;
      }
      // While stopping, one round is all an unacknowledged packet gets.
      const giveUp = this.stopping || (this.cfg.maxAccountingRounds !== undefined && round >= this.cfg.maxAccountingRounds);
      this.log.record(giveUp ? 'acct-gave-up' : 'acct-retry', { ...fields, round });
      if (giveUp) return;
    }
  }

  private jobDone(): void {
    this.pendingJobs--;
    this.maybeSettled();
  }

  private maybeSettled(): void {
    if (this.pendingJobs === 0 && this.pendingLogins === 0) for (const w of this.settleWaiters.splice(0)) w();
  }

  /** Resolves when every queued accounting packet has been acknowledged (or given up) and no login is pending. */
  settled(): Promise<void> {
    if (this.pendingJobs === 0 && this.pendingLogins === 0) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /**
   * For ManualClock.advanceAsync: waits (in real time, at most graceMs) until no request is
   * waiting for a reply, so a server that answers gets to answer before simulated time moves
   * past its retransmission timeout; a silent one costs graceMs per step.
   */
  async quiesce(graceMs = 2000): Promise<void> {
    const deadline = Date.now() + graceMs;
    for (;;) {
      await flushIo();
      if (this.authPeer.inFlight() + this.acctPeer.inFlight() === 0) {
        await flushIo();
        if (this.authPeer.inFlight() + this.acctPeer.inFlight() === 0) return;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([this.authPeer.idle(), this.acctPeer.idle()]),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining))),
      ]);
      clearTimeout(timer);
    }
  }

  /**
   * Shuts down like an orderly router: ends every session (Stop with `cause`, Admin-Reboot by
   * default), then sends Accounting-Off if configured. Packets not yet acknowledged get one
   * more round of tries; then the sockets close.
   */
  async stop(options: { endSessions?: boolean; cause?: number } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (options.endSessions ?? true)
      for (const s of [...this.active.values()]) void this.endSession(s, options.cause ?? TERMINATE_CAUSE.adminReboot);
    await this.settled();
    if (this.cfg.accounting && this.cfg.accountingOnOff) {
      void this.enqueueGlobal('accounting-off', ACCT_STATUS.accountingOff);
      await this.settled();
    }
    for (const s of this.active.values()) for (const cancel of Object.values(s.timers)) cancel?.();
    this.authPeer.close();
    this.acctPeer.close();
    this.log.record('stopped', {});
  }

  // ---- identifiers ----------------------------------------------------------------------------

  /** RouterOS style: 80f00003 = "80" (service) + boot digit + per-session counter (checklist item 17). */
  private nextSessionId(): string {
    const n = this.sessionCounter;
    this.sessionCounter = (this.sessionCounter + 1) & 0xfffff;
    return `80${this.cfg.bootId.toString(16)}${n.toString(16).padStart(5, '0')}`;
  }

  private allocateIp(): string {
    for (;;) {
      const ip = intToIp(this.nextHost);
      this.nextHost++;
      if ((this.nextHost & 0xff) === 0xff) this.nextHost += 3; // skip .255, .0, .1
      if (![...this.active.values()].some((s) => s.ip === ip)) return ip;
    }
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}

function causeName(cause: number): string {
  const entry = Object.entries(TERMINATE_CAUSE).find(([, v]) => v === cause);
  return entry ? entry[0] : `cause-${cause}`;
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

function flushIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

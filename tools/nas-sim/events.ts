// The simulator's event log: what a RouterOS operator would see in `/log print` plus the
// RADIUS exchanges behind it. Bounded, subscribable, and printable one line per event.

export type SimEventType =
  | 'started'
  | 'accounting-on'
  | 'accounting-off'
  | 'login'
  | 'login-reject'
  | 'login-no-response'
  | 'logout'
  | 'acct-ack'
  | 'acct-retry'
  | 'acct-gave-up'
  | 'bad-reply'
  | 'coa-request'
  | 'coa-reply'
  | 'coa-drop'
  | 'coa-applied'
  | 'traffic'
  | 'http'
  | 'stopped';

export type EventValue = string | number | boolean | null;

export interface SimEvent {
  at: Date;
  type: SimEventType;
  fields: Record<string, EventValue>;
}

export type EventListener = (event: SimEvent) => void;

export class EventLog {
  private readonly entries: SimEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly now: () => Date,
    private readonly capacity = 10_000,
  ) {}

  record(type: SimEventType, fields: Record<string, EventValue | bigint | undefined> = {}): SimEvent {
    const clean: Record<string, EventValue> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      clean[k] = typeof v === 'bigint' ? v.toString() : v;
    }
    const event: SimEvent = { at: this.now(), type, fields: clean };
    this.entries.push(event);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const l of this.listeners) l(event);
    return event;
  }

  /** Events in order, optionally only those of one type. */
  list(type?: SimEventType): SimEvent[] {
    return type ? this.entries.filter((e) => e.type === type) : [...this.entries];
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** `2026-11-25T10:00:00.000Z login user=CODE1 mac=AA:… session=80f00003` */
export function formatEvent(e: SimEvent): string {
  const parts = Object.entries(e.fields).map(([k, v]) => {
    const s = v === null ? '-' : String(v);
    return `${k}=${/[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s}`;
  });
  return [e.at.toISOString(), e.type, ...parts].join(' ');
}

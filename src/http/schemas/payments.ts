// Where mobile-money providers call back. The body is each provider's own wire format, kept as
// raw bytes (signatures cover them), and so is the acknowledgement: no schema can describe them.
import { Type, type Static } from 'typebox';

export const CallbackParams = Type.Object({ provider: Type.String() });
export type CallbackParams = Static<typeof CallbackParams>;

/** `t`: the per-payment token of the callback URL NetFlow gave the provider; providers may add more. */
export const CallbackQuery = Type.Object({ t: Type.Optional(Type.String()) }, { additionalProperties: true });
export type CallbackQuery = Static<typeof CallbackQuery>;

/** The acknowledgement the provider expects, in its own format (open). */
export const CallbackAck = Type.Unknown();

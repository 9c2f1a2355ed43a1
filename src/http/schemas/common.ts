// Shapes every HTTP face shares. Plain JSON Schema built with TypeBox: Fastify validates requests
// and serializes responses with them, and `Static<typeof X>` gives the web/ client the same
// shapes as TypeScript types (import type only: nothing of the server is bundled).
import { Type, type Static, type TSchema } from 'typebox';

/**
 * Every error: { error: "what was wrong" }, sometimes with the field it is about, a Swahili text,
 * a machine-readable reason, or (500 only) the request id to quote. Open: an error may carry more.
 */
export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    field: Type.Optional(Type.String()),
    errorSw: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The error answers of a route: any 4xx or 5xx is an ErrorBody. */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

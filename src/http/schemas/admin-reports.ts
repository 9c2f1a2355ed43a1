// The reports' HTTP shapes (GET /api/v1/admin/reports/:name). Query values are plain strings here
// and checked by the report service (src/reports/params.ts), whose errors name the field and the
// form expected (a 400 with { error, field }).
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

export const ReportQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'First day, YYYY-MM-DD (default: 29 days before to)' })),
  to: Type.Optional(Type.String({ description: 'Last day, YYYY-MM-DD, included (default: today in tz)' })),
  tz: Type.Optional(Type.String({ description: 'IANA time zone of the day boundaries (default: setting reports.timezone, else UTC)' })),
  router: Type.Optional(Type.String({ description: 'Router names or ids, comma-separated (default: all)' })),
  granularity: Type.Optional(Type.String({ description: 'day, week (from Monday) or month; revenue reports only' })),
  limit: Type.Optional(Type.String({ description: 'Rows, 1-1000 (default 20); top-devices only' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'json (default) or csv' })),
});
export type ReportQuery = Static<typeof ReportQuery>;

export const ReportNameParams = Type.Object({ name: Type.String() });

export const ReportResultBody = Type.Object({
  report: Type.String(),
  params: Type.Object({
    fromDate: Type.String(),
    toDate: Type.String(),
    tz: Type.String(),
    routerIds: Nullable(Type.Array(Type.Integer())),
    granularity: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Integer()),
  }),
  columns: Type.Array(Type.String()),
  // Each report's row shape is its own (src/reports/<report>.ts exports the row type).
  rows: Type.Array(Type.Object({}, { additionalProperties: true })),
});
export type ReportResultBody = Static<typeof ReportResultBody>;

export const ReportListBody = Type.Object({
  reports: Type.Array(
    Type.Object({
      name: Type.String(),
      title: Type.String(),
      description: Type.String(),
      options: Type.Array(Type.String()),
      columns: Type.Array(Type.String()),
    }),
  ),
});
export type ReportListBody = Static<typeof ReportListBody>;

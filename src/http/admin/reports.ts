// GET /reports (the list) and GET /reports/:name (one report, JSON or ?format=csv), inside the
// admin plugin (which checks sign-in and the role every route declares: viewers may read reports).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { InputError } from '../../core/errors.js';
import { findReport, REPORTS, renderCsv, runReport } from '../../reports/index.js';
import { errorResponses } from '../schemas/common.js';
import { ReportListBody, ReportNameParams, ReportQuery, ReportResultBody } from '../schemas/admin-reports.js';

export interface ReportsDeps {
  pool: pg.Pool;
  /** The reports' clock (tests). */
  now?: () => Date;
}

export const reportsPlugin: FastifyPluginAsyncTypebox<ReportsDeps> = async (app, { pool, now = () => new Date() }) => {
  // A bad query string (e.g. format=xml) answers in the common error shape wherever this plugin is
  // registered; anything else goes on to the enclosing handler.
  app.setErrorHandler((err: Error & { validation?: unknown }, _req, reply) => {
    if (err.validation) return reply.code(400).send({ error: err.message });
    throw err;
  });

  app.get('/reports', { config: { role: 'viewer' }, schema: { response: { 200: ReportListBody, ...errorResponses } } }, async () => ({
    reports: REPORTS.map((r) => ({
      name: r.name,
      title: r.title,
      description: r.description,
      options: [...r.options],
      columns: [...r.columns],
    })),
  }));

  app.get(
    '/reports/:name',
    {
      config: { role: 'viewer' },
      // 200 is ReportResultBody, or CSV text (a string is sent as it is, not through the schema).
      schema: { params: ReportNameParams, querystring: ReportQuery, response: { 200: ReportResultBody, ...errorResponses } },
    },
    async (req, reply) => {
      const { format, ...raw } = req.query;
      if (!findReport(req.params.name)) {
        const names = REPORTS.map((r) => r.name).join(', ');
        return reply.code(404).send({ error: `no report '${req.params.name}'; the reports are: ${names}` });
      }
      let result: ReportResultBody;
      try {
        result = (await runReport(pool, req.params.name, raw, now())) as ReportResultBody;
      } catch (err) {
        if (err instanceof InputError) return reply.code(400).send({ error: err.message, field: err.field });
        throw err;
      }
      if (format === 'csv') {
        const file = `${result.report}_${result.params.fromDate}_${result.params.toDate}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file}"`)
          .send(renderCsv(result.columns, result.rows as Record<string, unknown>[]) as unknown as ReportResultBody);
      }
      return result;
    },
  );
};

// /api/v1/admin/settings: portal branding (applied from the portal's next page load) and the
// RADIUS reply settings (every instance reloads them at once: NOTIFY netflow_settings). Reading:
// every role; changing: admin.
// Validation and audit: src/admin/settings.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../db/generated/client.js';
import { changeSettings, readSettings } from '../../admin/settings.js';
import { adminErrorResponses } from '../schemas/admin.js';
import { SettingsPatch, SettingsView } from '../schemas/admin-accounts.js';

export const settingsPlugin: FastifyPluginAsyncTypebox<{ prisma: PrismaClient }> = async (app, { prisma }) => {
  app.get('/settings', { config: { role: 'viewer' }, schema: { response: { 200: SettingsView, ...adminErrorResponses } } }, async () =>
    readSettings(prisma),
  );

  app.patch(
    '/settings',
    { config: { role: 'admin' }, schema: { body: SettingsPatch, response: { 200: SettingsView, ...adminErrorResponses } } },
    async (req) => changeSettings(prisma, req.body, req.admin!.email),
  );
};

import { Type } from '@sinclair/typebox';
import { HubError } from '../../errors.js';
import type { App } from '../types.js';

export interface HealthDeps {
  /** Names of the dependencies that are not ready; empty when the hub can serve. */
  readonly notReady: () => string[];
}

export function healthRoutes(app: App, deps: HealthDeps): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database is open and the MQTT listeners are up',
        response: { 200: Type.Object({ status: Type.Literal('ready') }) },
      },
    },
    async () => {
      const missing = deps.notReady();
      if (missing.length > 0) throw new HubError('UNAVAILABLE', `not ready: ${missing.join(', ')}`);
      return { status: 'ready' as const };
    },
  );
}

import { Type } from '@sinclair/typebox';
import { HubError } from '../../errors.js';
import type { App } from '../types.js';

export interface HealthDeps {
  /** Names of the dependencies that are not ready; empty when the hub can serve. */
  readonly notReady: () => string[];
  /** Cluster mode: this node's id and how many nodes are alive. */
  readonly node?: () => { id: string; nodesAlive: number };
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
        summary:
          'Readiness: the database is open, the MQTT listeners are up and (cluster mode) Redis answers',
        response: {
          200: Type.Object({
            status: Type.Literal('ready'),
            node: Type.Optional(
              Type.Object({
                id: Type.String({ description: 'This node of the cluster (--node-id)' }),
                nodesAlive: Type.Integer({
                  description: 'Live nodes at the last heartbeat, this one included',
                }),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const missing = deps.notReady();
      if (missing.length > 0) throw new HubError('UNAVAILABLE', `not ready: ${missing.join(', ')}`);
      return deps.node ? { status: 'ready' as const, node: deps.node() } : { status: 'ready' as const };
    },
  );
}

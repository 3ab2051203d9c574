import type { HubMetrics } from '../../metrics.js';
import type { App } from '../types.js';

/**
 * Prometheus metrics. Public like /healthz: they carry counts, never identities; put the HTTP port
 * behind a proxy that hides /metrics if that matters for a deployment.
 */
export function metricsRoutes(app: App, metrics: HubMetrics): void {
  app.get(
    '/metrics',
    {
      config: { access: 'public' },
      schema: { tags: ['operations'], summary: 'Prometheus metrics (text format)' },
    },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}

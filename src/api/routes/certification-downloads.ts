import { Type } from '@sinclair/typebox';
import type { TamperedDownloads } from '../../certification/tampered.js';
import { HubError } from '../../errors.js';
import type { App } from '../types.js';

/**
 * The tampered download of the `update.tampered` case (docs/certification.md): the package's bytes
 * with one byte flipped, under a one-use ticket in the offer's URL (the ticket is the credential).
 */
export function certificationDownloadRoutes(app: App, tampered: TamperedDownloads): void {
  app.get(
    '/v1/certification/downloads/:ticket',
    {
      config: { access: 'public' },
      schema: {
        tags: ['certification'],
        summary: 'A tampered firmware download for a running update case (its ticket is the credential)',
        params: Type.Object({ ticket: Type.String({ minLength: 16, maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      const download = tampered.open(request.params.ticket);
      if (download === undefined) throw new HubError('NOT_FOUND', 'no such download (or it expired)');
      return reply
        .header('content-type', 'application/octet-stream')
        .header('cache-control', 'private, no-store')
        .header('content-length', download.size)
        .send(download.body);
    },
  );
}

import { createReadStream } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { HubError } from '../../errors.js';
import type { Firmware } from '../../firmware/service.js';
import { findPackage } from '../../firmware/store-packages.js';
import type { Engine } from '../../store/engine.js';
import type { App } from '../types.js';
import { PackageIdParams } from './firmware-schemas.js';

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` (RFC 9110 14.1.2); one range only. */
export function parseRange(
  header: string,
  size: number,
): { start: number; end: number } | 'invalid' | 'unsatisfiable' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Firmware downloads for devices: the token in the offer's URL is the credential (bound to the
 * device and package, short-lived). Range requests resume an interrupted download.
 */
export function firmwareDownloadRoutes(
  app: App,
  deps: { firmware: Firmware; store: Engine; now: () => number },
): void {
  const { firmware } = deps;
  app.get(
    '/v1/firmware/downloads/:packageId',
    {
      config: { access: 'public' },
      schema: {
        tags: ['firmware'],
        summary: 'Download a firmware binary with the token from an offer; supports Range (resume)',
        params: PackageIdParams,
        querystring: Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) }),
      },
    },
    async (request, reply) => {
      const { packageId } = request.params;
      const check = firmware.tokens.check(request.query.token, packageId, deps.now());
      if (!check.ok) {
        firmware.metrics.downloads.inc({ kind: 'refused' });
        throw new HubError('UNAUTHENTICATED', `download token refused: ${check.reason}`);
      }
      const pkg = await findPackage(deps.store, packageId);
      const size = await firmware.packages.storedSize(packageId);
      if (!pkg || pkg.state === 'draft' || pkg.sha256 === null || size === undefined) {
        throw new HubError('NOT_FOUND', 'package not found');
      }
      const etag = `"${pkg.sha256}"`;
      reply
        .header('accept-ranges', 'bytes')
        .header('etag', etag)
        .header('content-type', 'application/octet-stream');
      reply.header('cache-control', 'private, no-store');
      const range = request.headers.range;
      // If-Range with another entity tag: send the whole (different) file, not a piece of it.
      const ifRange = request.headers['if-range'];
      if (range !== undefined && (ifRange === undefined || ifRange === etag)) {
        const r = parseRange(range, size);
        if (r === 'unsatisfiable') {
          reply.header('content-range', `bytes */${size}`);
          throw new HubError('VALIDATION_FAILED', `range ${range} is outside the ${size}-byte binary`, {
            errors: [{ path: '/headers/range', message: `must start below ${size}` }],
          });
        }
        if (r !== 'invalid') {
          firmware.metrics.downloads.inc({ kind: 'range' });
          reply.code(206).header('content-range', `bytes ${r.start}-${r.end}/${size}`);
          reply.header('content-length', r.end - r.start + 1);
          return reply.send(
            createReadStream(firmware.packages.filePath(packageId), { start: r.start, end: r.end }),
          );
        }
      }
      firmware.metrics.downloads.inc({ kind: 'full' });
      reply.header('content-length', size);
      return reply.send(createReadStream(firmware.packages.filePath(packageId)));
    },
  );
}

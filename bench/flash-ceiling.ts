/**
 * The flash-sale scenario's reference (a child process of the bench): a bare fastify server with one
 * trivial route, `GET /` answering `{"ok":true}`, no logger, no hooks. What the same HTTP client on
 * the same box gets from fastify when a request costs nothing: the ceiling a purchase is compared to.
 * Prints `{"url":...}` once listening; serves until SIGTERM.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ ok: true }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: address })}\n`);
process.on('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});

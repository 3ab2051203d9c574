import type { Hub } from '../src/hub.js';
import { DEMO_USER, type DemoDevice, type DemoWorld } from './demo-setup.js';

/** Quotes one shell word (POSIX sh): safe for any path, token or code. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Commands a user pastes into a shell; each works as printed (test/integration/demo.test.ts runs them). */
export function demoCommands(
  hub: Pick<Hub, 'httpUrl' | 'mqttUrl' | 'mqttPort'>,
  world: DemoWorld,
  light: DemoDevice,
  root: string,
): { watch: string; list: string; sdk: string } {
  const mqttHost = new URL(hub.mqttUrl).hostname.replace(/^\[|\]$/g, '');
  const watch = [
    'npx mqtt sub',
    `-h ${shellQuote(mqttHost)}`,
    `-p ${hub.mqttPort}`,
    // A phone's client id lives in its user's namespace: app/{uid}[/label] (docs/protocol.md).
    `-i ${shellQuote(`app/${world.user.id}/demo-cli`)}`,
    '-u token',
    `-P ${shellQuote(world.user.token)}`,
    `-t ${shellQuote(`dev/${light.id}/#`)}`,
    '-v',
  ].join(' ');
  const list = `curl -sS -H ${shellQuote(`authorization: Bearer ${world.user.token}`)} ${shellQuote(`${hub.httpUrl}/v1/me/devices`)}`;
  const code = [
    'import { EcohubClient } from "ecohub/sdk";',
    `const hub = await EcohubClient.login("${hub.httpUrl}", "${DEMO_USER.email}", "${DEMO_USER.password}");`,
    `console.log(await hub.command("${light.id}", { op: "set", props: { "light.on": true } }));`,
  ].join(' ');
  // Run from the package root, where 'ecohub/sdk' resolves to this hub's SDK (package self-reference).
  const inRoot = `cd ${shellQuote(root)} &&`;
  return {
    watch: `${inRoot} ${watch}`,
    list,
    sdk: `${inRoot} node --input-type=module -e ${shellQuote(code)}`,
  };
}

export function demoBanner(opts: {
  hub: Pick<Hub, 'httpUrl' | 'mqttUrl' | 'wsUrl' | 'mqttPort'>;
  world: DemoWorld;
  light: DemoDevice;
  root: string;
  operator: string;
  dataDir: string;
  temporary: boolean;
  running: number;
}): string {
  const { hub, world, light } = opts;
  const commands = demoCommands(hub, world, light, opts.root);
  return [
    '',
    `ecohub demo is running. Ctrl-C stops it${opts.temporary ? ' and removes its data folder' : ''}.`,
    '',
    `  API docs (Swagger UI)  ${hub.httpUrl}/docs`,
    `  MQTT                   ${hub.mqttUrl}   (WebSocket: ${hub.wsUrl})`,
    `  data                   ${opts.dataDir}${opts.temporary ? ' (temporary)' : ''}`,
    `  operator token         ${opts.operator}`,
    `  partner API key        ${world.partnerKey}`,
    `  demo user              ${DEMO_USER.email} / ${DEMO_USER.password}`,
    `  demo user token        ${world.user.token}`,
    `  devices                ${opts.running} simulated (${world.models} models x 2) in "Demo home"`,
    '',
    `Watch the light ${light.id} (MQTT.js's CLI, installed with the hub; mosquitto_sub takes the same flags):`,
    `  ${commands.watch}`,
    'List my devices:',
    `  ${commands.list}`,
    `Switch the light ${light.id} on (SDK):`,
    `  ${commands.sdk}`,
    '',
  ].join('\n');
}

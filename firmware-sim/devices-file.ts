import type { DeviceCredentials } from './options.js';

/** What provisioning produced: the device credentials, and the model when the file names it. */
export interface DevicesFile {
  readonly devices: DeviceCredentials[];
  /** From the CSV `model` column or the JSON `batch.modelId`. */
  readonly modelId: string | undefined;
}

const CSV_HEADER = ['device_id', 'secret', 'pairing_code', 'model', 'version'];

/**
 * Parses `POST /v1/device-batches` output: JSON `{batch, devices: [{id, secret, pairingCode}]}`
 * or CSV with the header `device_id,secret,pairing_code,model,version`. Throws with a message
 * naming the line or entry at fault.
 */
export function parseDevicesFile(text: string, fileName: string): DevicesFile {
  const trimmed = text.trimStart();
  const json = fileName.endsWith('.json') || trimmed.startsWith('{') || trimmed.startsWith('[');
  return json ? parseJson(trimmed) : parseCsv(text);
}

function parseJson(text: string): DevicesFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const list = Array.isArray(doc) ? doc : isRecord(doc) ? doc['devices'] : undefined;
  if (!Array.isArray(list)) throw new Error('expected {batch, devices: [{id, secret, pairingCode}]}');
  const devices = list.map((entry: unknown, i) => {
    if (!isRecord(entry) || typeof entry['id'] !== 'string' || typeof entry['secret'] !== 'string') {
      throw new Error(`devices[${i}] needs string fields id and secret`);
    }
    return { id: entry['id'], secret: entry['secret'] };
  });
  const batch = isRecord(doc) ? doc['batch'] : undefined;
  const modelId = isRecord(batch) && typeof batch['modelId'] === 'string' ? batch['modelId'] : undefined;
  return checked({ devices, modelId });
}

function parseCsv(text: string): DevicesFile {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim());
  if (header === undefined || header.join(',') !== CSV_HEADER.join(',')) {
    throw new Error(`expected the CSV header ${CSV_HEADER.join(',')}`);
  }
  let modelId: string | undefined;
  const devices = lines.slice(1).map((line, i) => {
    const [id, secret, , model] = line.split(',').map((cell) => cell.trim());
    if (!id || !secret) throw new Error(`line ${i + 2} needs a device_id and a secret`);
    if (model) modelId ??= model;
    return { id, secret };
  });
  return checked({ devices, modelId });
}

function checked(file: DevicesFile): DevicesFile {
  if (file.devices.length === 0) throw new Error('lists no devices');
  const seen = new Set<string>();
  for (const device of file.devices) {
    if (seen.has(device.id)) throw new Error(`lists device ${device.id} twice`);
    seen.add(device.id);
  }
  return file;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

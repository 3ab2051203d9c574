import { num, optStr, record, str } from '../api/decode.js';

export interface ProductionBatch {
  readonly batchId: string;
  readonly modelId: string;
  readonly currency: string;
  readonly units: number;
  readonly bomCostMinor: number;
  readonly status: string;
  readonly holdUntilMarginBp: number | null;
  readonly allocated: number;
  readonly releaseReason: string | null;
  /** Margin now (price - BOM in force now - commission), in basis points of the price. */
  readonly marginNowBp: number | null;
}

export function readProductionBatch(value: unknown, path = ''): ProductionBatch {
  const o = record(value, path);
  const now = record(o['marginNow'], `${path}/marginNow`);
  return {
    batchId: str(o['batchId'], `${path}/batchId`),
    modelId: str(o['modelId'], `${path}/modelId`),
    currency: str(o['currency'], `${path}/currency`),
    units: num(o['units'], `${path}/units`),
    bomCostMinor: num(o['bomCostMinor'], `${path}/bomCostMinor`),
    status: str(o['status'], `${path}/status`),
    holdUntilMarginBp:
      o['holdUntilMarginBp'] === null ? null : num(o['holdUntilMarginBp'], `${path}/holdUntilMarginBp`),
    allocated: num(o['allocated'], `${path}/allocated`),
    releaseReason: optStr(o['releaseReason'] ?? null, `${path}/releaseReason`),
    marginNowBp: now['marginBp'] === null ? null : num(now['marginBp'], `${path}/marginNow/marginBp`),
  };
}

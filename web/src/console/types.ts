import { bool, list, num, oneOf, optStr, record, str } from '../api/decode.js';

export const MODEL_STATES = ['draft', 'submitted', 'certified', 'published', 'retired'] as const;
export type ModelState = (typeof MODEL_STATES)[number];

export interface VersionSummary {
  readonly version: number;
  readonly state: ModelState;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly submittedAt: string | null;
  readonly certifiedAt: string | null;
  readonly publishedAt: string | null;
  readonly retiredAt: string | null;
}

export interface Model {
  readonly id: string;
  readonly partnerId: string;
  readonly partnerSlug: string;
  readonly category: string;
  readonly parent: string | null;
  readonly versions: readonly VersionSummary[];
}

export interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly message: string;
}

export interface Version extends VersionSummary {
  readonly modelId: string;
  readonly document: unknown;
  readonly warnings: readonly Finding[];
  readonly certificationNote: string | null;
}

export interface Partner {
  readonly id: string;
  readonly slug: string;
  readonly company: string;
  readonly contactEmail: string;
  readonly website: string;
  readonly categories: readonly string[];
}

export interface Application {
  readonly id: string;
  readonly slug: string;
  readonly company: string;
  readonly contactEmail: string;
  readonly website: string;
  readonly categories: readonly string[];
  readonly status: 'pending' | 'approved' | 'rejected';
  readonly reason: string | null;
  readonly createdAt: string;
  readonly partnerId: string | null;
}

export interface Contract {
  readonly id: string;
  readonly rateBp: number;
  readonly effectiveFrom: string;
  readonly note: string | null;
  readonly createdAt: string;
}

export interface Batch {
  readonly id: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly size: number;
  readonly label: string | null;
  readonly createdAt: string;
}

export interface ProvisionedDevice {
  readonly id: string;
  readonly secret: string;
  readonly pairingCode: string;
}

export interface LedgerEntry {
  readonly seq: number;
  readonly kind: 'sale' | 'refund' | 'adjustment';
  readonly statementMonth: string;
  readonly currency: string;
  readonly grossMinor: number;
  readonly commissionMinor: number;
  readonly payableMinor: number;
  readonly rateBp: number | null;
  readonly quantity: number;
  readonly orderId: string | null;
  readonly reason: string | null;
  readonly createdAt: string;
}

export interface StatementTotals {
  readonly currency: string;
  readonly grossSalesMinor: number;
  readonly refundsMinor: number;
  readonly commissionMinor: number;
  readonly adjustmentsMinor: number;
  readonly netPayableMinor: number;
  readonly unitsSold: number;
  readonly unitsRefunded: number;
  readonly entries: number;
}

export interface Statement {
  readonly partnerId: string;
  readonly month: string;
  readonly closed: boolean;
  readonly closedAt: string | null;
  readonly totals: readonly StatementTotals[];
  readonly unitsSold: number;
  readonly unitsRefunded: number;
  readonly unitsActivated: number;
}

function readSummary(o: Record<string, unknown>, p: string): VersionSummary {
  return {
    version: num(o['version'], `${p}/version`),
    state: oneOf(o['state'], `${p}/state`, MODEL_STATES),
    createdAt: str(o['createdAt'], `${p}/createdAt`),
    updatedAt: str(o['updatedAt'], `${p}/updatedAt`),
    submittedAt: optStr(o['submittedAt'], `${p}/submittedAt`),
    certifiedAt: optStr(o['certifiedAt'], `${p}/certifiedAt`),
    publishedAt: optStr(o['publishedAt'], `${p}/publishedAt`),
    retiredAt: optStr(o['retiredAt'], `${p}/retiredAt`),
  };
}

export function readModelSummary(v: unknown, p = ''): Model {
  const o = record(v, p);
  return {
    id: str(o['id'], `${p}/id`),
    partnerId: str(o['partnerId'], `${p}/partnerId`),
    partnerSlug: str(o['partnerSlug'], `${p}/partnerSlug`),
    category: str(o['category'], `${p}/category`),
    parent: optStr(o['parent'], `${p}/parent`),
    versions: list(o['versions'], `${p}/versions`, (x, q) => readSummary(record(x, q), q)),
  };
}

function readFinding(v: unknown, p: string): Finding {
  const o = record(v, p);
  return {
    rule: str(o['rule'], `${p}/rule`),
    path: str(o['path'], `${p}/path`),
    message: str(o['message'], `${p}/message`),
  };
}

export function readVersion(v: unknown): Version {
  const o = record(v);
  return {
    ...readSummary(o, ''),
    modelId: str(o['modelId'], '/modelId'),
    document: o['document'],
    warnings: list(o['warnings'] ?? [], '/warnings', readFinding),
    certificationNote: optStr(o['certificationNote'], '/certificationNote'),
  };
}

export function readPartner(v: unknown, p = ''): Partner {
  const o = record(v, p);
  return {
    id: str(o['id'], `${p}/id`),
    slug: str(o['slug'], `${p}/slug`),
    company: str(o['company'], `${p}/company`),
    contactEmail: str(o['contactEmail'], `${p}/contactEmail`),
    website: str(o['website'], `${p}/website`),
    categories: list(o['categories'], `${p}/categories`, str),
  };
}

export function readApplication(v: unknown, p = ''): Application {
  const o = record(v, p);
  return {
    id: str(o['id'], `${p}/id`),
    slug: str(o['slug'], `${p}/slug`),
    company: str(o['company'], `${p}/company`),
    contactEmail: str(o['contactEmail'], `${p}/contactEmail`),
    website: str(o['website'], `${p}/website`),
    categories: list(o['categories'], `${p}/categories`, str),
    status: oneOf(o['status'], `${p}/status`, ['pending', 'approved', 'rejected'] as const),
    reason: optStr(o['reason'], `${p}/reason`),
    createdAt: str(o['createdAt'], `${p}/createdAt`),
    partnerId: optStr(o['partnerId'], `${p}/partnerId`),
  };
}

export function readContract(v: unknown, p = ''): Contract {
  const o = record(v, p);
  return {
    id: str(o['id'], `${p}/id`),
    rateBp: num(o['rateBp'], `${p}/rateBp`),
    effectiveFrom: str(o['effectiveFrom'], `${p}/effectiveFrom`),
    note: optStr(o['note'], `${p}/note`),
    createdAt: str(o['createdAt'], `${p}/createdAt`),
  };
}

export function readBatch(v: unknown, p = ''): Batch {
  const o = record(v, p);
  return {
    id: str(o['id'], `${p}/id`),
    modelId: str(o['modelId'], `${p}/modelId`),
    modelVersion: num(o['modelVersion'], `${p}/modelVersion`),
    size: num(o['size'], `${p}/size`),
    label: optStr(o['label'], `${p}/label`),
    createdAt: str(o['createdAt'], `${p}/createdAt`),
  };
}

export function readProvisioned(v: unknown, p = ''): ProvisionedDevice {
  const o = record(v, p);
  return {
    id: str(o['id'], `${p}/id`),
    secret: str(o['secret'], `${p}/secret`),
    pairingCode: str(o['pairingCode'], `${p}/pairingCode`),
  };
}

const nullableNum = (x: unknown) => (typeof x === 'number' ? x : null);

export function readLedgerEntry(v: unknown, p = ''): LedgerEntry {
  const o = record(v, p);
  return {
    seq: num(o['seq'], `${p}/seq`),
    kind: oneOf(o['kind'], `${p}/kind`, ['sale', 'refund', 'adjustment'] as const),
    statementMonth: str(o['statementMonth'], `${p}/statementMonth`),
    currency: str(o['currency'], `${p}/currency`),
    grossMinor: num(o['grossMinor'], `${p}/grossMinor`),
    commissionMinor: num(o['commissionMinor'], `${p}/commissionMinor`),
    payableMinor: num(o['payableMinor'], `${p}/payableMinor`),
    rateBp: nullableNum(o['rateBp']),
    quantity: num(o['quantity'], `${p}/quantity`),
    orderId: optStr(o['orderId'], `${p}/orderId`),
    reason: optStr(o['reason'], `${p}/reason`),
    createdAt: str(o['createdAt'], `${p}/createdAt`),
  };
}

export function readStatement(v: unknown, p = ''): Statement {
  const o = record(v, p);
  return {
    partnerId: str(o['partnerId'], `${p}/partnerId`),
    month: str(o['month'], `${p}/month`),
    closed: bool(o['closed'], `${p}/closed`),
    closedAt: optStr(o['closedAt'], `${p}/closedAt`),
    totals: list(o['totals'], `${p}/totals`, (t, q) => {
      const r = record(t, q);
      return {
        currency: str(r['currency'], `${q}/currency`),
        grossSalesMinor: num(r['grossSalesMinor'], `${q}/grossSalesMinor`),
        refundsMinor: num(r['refundsMinor'], `${q}/refundsMinor`),
        commissionMinor: num(r['commissionMinor'], `${q}/commissionMinor`),
        adjustmentsMinor: num(r['adjustmentsMinor'], `${q}/adjustmentsMinor`),
        netPayableMinor: num(r['netPayableMinor'], `${q}/netPayableMinor`),
        unitsSold: num(r['unitsSold'], `${q}/unitsSold`),
        unitsRefunded: num(r['unitsRefunded'], `${q}/unitsRefunded`),
        entries: num(r['entries'], `${q}/entries`),
      };
    }),
    unitsSold: num(o['unitsSold'], `${p}/unitsSold`),
    unitsRefunded: num(o['unitsRefunded'], `${p}/unitsRefunded`),
    unitsActivated: num(o['unitsActivated'], `${p}/unitsActivated`),
  };
}

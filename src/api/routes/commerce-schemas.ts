import { type TSchema, Type } from '@sinclair/typebox';
import { currencyCodes } from '../../commerce/currencies.js';
import { MAX_MINOR } from '../../commerce/money.js';
import { Timestamp } from '../schemas.js';

/**
 * Money on the wire: integers of minor units within the safe range (no strings, no fractions, no
 * exponents past 2^53), and ISO 4217 codes from the hub's currency list.
 */
export const MinorUnits = (minimum: number, description: string) =>
  Type.Integer({ minimum, maximum: MAX_MINOR, description });

export const SignedMinorUnits = (description: string) =>
  Type.Integer({ minimum: -MAX_MINOR, maximum: MAX_MINOR, description });

export const CurrencyCode = Type.Unsafe<string>({
  type: 'string',
  enum: currencyCodes(),
  description: 'ISO 4217 alphabetic code (active, circulating)',
});

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Id = Type.String({ pattern: '^[0-9a-f]{16}$', description: '16 hex characters' });

export const StockSchema = Type.Object({
  provisioned: Type.Integer(),
  available: Type.Integer(),
  reserved: Type.Integer(),
  sold: Type.Integer(),
  claimed: Type.Integer({
    description:
      'claimed by users outside a live sale (pairing code, or kept after a refund): never stock again',
  }),
});

export const SkuSchema = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  modelId: Type.String(),
  name: Nullable(Type.String()),
  priceMinor: Type.Integer(),
  currency: Type.String(),
  minorUnits: Type.Integer({ description: 'digits after the decimal point, for display' }),
  active: Type.Boolean(),
  createdAt: Timestamp,
  deactivatedAt: Nullable(Timestamp),
  stock: StockSchema,
});

export const StoreSkuSchema = Type.Object({
  id: Type.String(),
  modelId: Type.String(),
  name: Nullable(Type.String()),
  priceMinor: Type.Integer(),
  currency: Type.String(),
  minorUnits: Type.Integer(),
  available: Type.Integer(),
});

export const BomSchema = Type.Object({
  id: Type.String(),
  modelId: Type.String(),
  costMinor: Type.Integer(),
  currency: Type.String(),
  effectiveFrom: Type.String({ format: 'date' }),
  createdAt: Timestamp,
});

export const MarginSchema = Type.Object({
  skuId: Type.String(),
  partnerId: Type.String(),
  modelId: Type.String(),
  priceMinor: Type.Integer(),
  currency: Type.String(),
  bom: Nullable(BomSchema),
  marginMinor: Nullable(Type.Integer()),
  marginBp: Nullable(Type.Integer()),
});

export const MarginPeriodSchema = Type.Object({
  from: Type.String({ format: 'date' }),
  until: Nullable(Type.String({ format: 'date' })),
  costMinor: Type.Integer(),
  currency: Type.String(),
  marginMinor: Nullable(Type.Integer()),
  marginBp: Nullable(Type.Integer()),
});

export const OrderSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  status: Type.Union(['reserved', 'paid', 'refunded', 'expired', 'cancelled'].map((s) => Type.Literal(s))),
  currency: Type.String(),
  totalMinor: Type.Integer(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  paidAt: Nullable(Timestamp),
  lines: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      skuId: Type.String(),
      modelId: Type.String(),
      unitPriceMinor: Type.Integer(),
      quantity: Type.Integer(),
      amountMinor: Type.Integer(),
      refundedAt: Nullable(Timestamp),
      deviceIds: Type.Array(Type.String()),
    }),
  ),
});

export const RefundSchema = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  lineNos: Type.Array(Type.Integer()),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  reason: Nullable(Type.String()),
  requestedBy: Type.String(),
  createdAt: Timestamp,
});

export const PaymentEventSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255, description: "the provider's event id" }),
  type: Type.Union([Type.Literal('payment.succeeded'), Type.Literal('refund.succeeded')]),
  orderId: Id,
  amountMinor: MinorUnits(1, 'must equal the order total (payment) or what is left to refund (refund)'),
  currency: CurrencyCode,
});

import { Type } from '@sinclair/typebox';
import { Timestamp } from '../schemas.js';
import { CurrencyCode, Id, MinorUnits, Nullable } from './commerce-schemas.js';

export const SaleParams = Type.Object({ saleId: Id });
export const PurchaseParams = Type.Object({ purchaseId: Id });

export const SaleInputSchema = Type.Object({
  skuId: Id,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  cap: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'units for sale' }),
  perUserLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 1 })),
  registrationCap: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  registrationOpensAt: Timestamp,
  opensAt: Timestamp,
  closesAt: Timestamp,
  mode: Type.Union([Type.Literal('first_come'), Type.Literal('draw')]),
  paymentWindowMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3600_000 })),
  offerHoldMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3600_000 })),
  waitlistCap: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  payment: Type.Optional(
    Type.Union([Type.Literal('full'), Type.Literal('deposit')], {
      description: 'full (default), or deposit: a pre-order sale, the balance due when a batch is built',
    }),
  ),
  depositMinor: Type.Optional(MinorUnits(1, 'deposit per unit, below the price')),
  balanceWindowMs: Type.Optional(Type.Integer({ minimum: 60_000, maximum: 90 * 86_400_000 })),
  missedBalance: Type.Optional(
    Type.Union([Type.Literal('forfeit'), Type.Literal('refund')], {
      description: 'what happens to the deposit when the balance is not paid in its window',
    }),
  ),
});

export const SaleSchema = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  skuId: Type.String(),
  modelId: Type.String(),
  name: Type.String(),
  currency: Type.String(),
  minorUnits: Type.Integer(),
  priceMinor: Type.Integer(),
  cap: Type.Integer(),
  perUserLimit: Type.Integer(),
  registrationCap: Nullable(Type.Integer()),
  registrations: Type.Integer(),
  registrationOpensAt: Type.String(),
  opensAt: Type.String(),
  closesAt: Type.String(),
  mode: Type.String(),
  phase: Type.String({ description: 'scheduled, registration, open or closed' }),
  seedHash: Type.String({ description: 'SHA-256 (hex) of the draw seed, published before the sale' }),
  seed: Nullable(Type.String({ description: 'the draw seed, revealed once the sale has closed' })),
  drawnAt: Nullable(Type.String()),
  paymentWindowMs: Type.Integer(),
  offerHoldMs: Type.Integer(),
  waitlistCap: Type.Integer(),
  remaining: Type.Integer(),
  reserved: Type.Integer(),
  sold: Type.Integer(),
  codesOutstanding: Type.Integer(),
  createdAt: Type.String(),
  payment: Type.String(),
  depositMinor: Nullable(Type.Integer()),
  balanceWindowMs: Nullable(Type.Integer()),
  missedBalance: Nullable(Type.String()),
  links: Type.Object({ draw: Type.String() }),
});

export const RegistrationSchema = Type.Object({
  saleId: Type.String(),
  ticket: Type.String(),
  number: Type.Integer(),
  registeredAt: Type.String(),
});

export const PurchaseSchema = Type.Object({
  id: Type.String(),
  saleId: Type.String(),
  status: Type.String({ description: 'reserved, paid, expired or cancelled' }),
  source: Type.String({ description: 'open, draw, code or waitlist' }),
  quantity: Type.Integer(),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  paidAt: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
});

export const PurchaseAnswerSchema = Type.Object({
  outcome: Type.String({ description: 'reserved (201), waitlisted or queued (202)' }),
  purchase: Type.Optional(PurchaseSchema),
  saleId: Type.Optional(Type.String()),
  position: Type.Optional(Type.Integer()),
  retryAfterMs: Type.Optional(Type.Integer()),
});

export const DrawTicketSchema = Type.Object({
  number: Type.Integer({ description: 'registration order' }),
  ticket: Type.String(),
  won: Type.Boolean(),
});

export const FlashPaymentEventSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 255 }),
    type: Type.Union([Type.Literal('payment.succeeded'), Type.Literal('balance.succeeded')]),
    purchaseId: Id,
    amountMinor: MinorUnits(0, 'the amount paid'),
    currency: CurrencyCode,
  },
  { additionalProperties: false },
);

export const PreorderSchema = Type.Object({
  id: Type.String({ description: 'the flash purchase that paid the deposit' }),
  saleId: Type.String(),
  modelId: Type.String(),
  skuId: Type.String(),
  status: Type.String({ description: 'waiting, allocated, balance_paid, completed, forfeited or refunded' }),
  quantity: Type.Integer(),
  currency: Type.String(),
  priceMinor: Type.Integer(),
  depositMinor: Type.Integer(),
  balanceMinor: Type.Integer(),
  missedBalance: Type.String(),
  balanceWindowMs: Type.Integer(),
  depositPaidAt: Type.String(),
  batchId: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  allocatedAt: Nullable(Type.String()),
  balanceDueAt: Nullable(Type.String()),
  balancePaidAt: Nullable(Type.String()),
  endedAt: Nullable(Type.String()),
  deposits: Type.Array(
    Type.Object({
      kind: Type.String({ description: 'deposit, applied, forfeited or refunded' }),
      amountMinor: Type.Integer(),
      statementMonth: Type.String(),
      createdAt: Type.String(),
    }),
  ),
});

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
    type: Type.Literal('payment.succeeded'),
    purchaseId: Id,
    amountMinor: MinorUnits(0, 'the amount paid'),
    currency: CurrencyCode,
  },
  { additionalProperties: false },
);

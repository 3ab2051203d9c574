import { Type } from '@sinclair/typebox';
import { Timestamp } from '../schemas.js';

/** Response shapes shared by the partner route files (applications, partners, keys, contracts). */

const NullableTimestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const PartnerSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  company: Type.String(),
  contactEmail: Type.String(),
  website: Type.String(),
  categories: Type.Array(Type.String()),
  applicationId: Type.String(),
  createdAt: Timestamp,
});

export const IssuedApiKeySchema = Type.Object(
  {
    id: Type.String(),
    key: Type.String({
      description: 'The API key, `ek_<id>_<secret>`. Shown only in this response: store it now.',
    }),
    label: Type.String(),
    createdAt: Timestamp,
  },
  { description: 'A newly issued API key' },
);

export const ApiKeySchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'Last authenticated request, recorded at most once a minute',
  }),
  revokedAt: NullableTimestamp,
});

export const ContractSchema = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  rateBp: Type.Integer({ description: 'Commission in basis points (500 = 5 %)' }),
  effectiveFrom: Type.String({ format: 'date', description: 'In force from 00:00 UTC of this date' }),
  note: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});

export const RateBp = Type.Integer({
  minimum: 0,
  maximum: 10_000,
  description: 'Commission in basis points: an integer, 500 = 5 %',
});

export const PartnerIdParams = Type.Object({ partnerId: Type.String({ minLength: 1, maxLength: 64 }) });

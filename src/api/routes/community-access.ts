import { Type } from '@sinclair/typebox';

/** What the community routes share: their OpenAPI tag, who may call them, and an empty answer. */
export const tags = ['community'];
export const anyone = { access: ['user', 'partner', 'operator'] } as const;
export const users = { access: ['user'] } as const;
export const moderators = { access: ['partner', 'operator'] } as const;
export const NoContent = { 204: Type.Null() };

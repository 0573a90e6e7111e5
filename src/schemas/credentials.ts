import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './types.js';

/** Bodies and answers of the credential operations (spec 2026-05-12 inline schemas). */

export const VerifyPasswordBody = Type.Object({ password: Type.String() }, { additionalProperties: false });
export type VerifyPasswordBody = Static<typeof VerifyPasswordBody>;

export const VerifyTotpBody = Type.Object({ code: Type.String() }, { additionalProperties: false });
export type VerifyTotpBody = Static<typeof VerifyTotpBody>;

export const RemovePasswordBody = Type.Object({ sign_out_of_other_sessions: Type.Optional(Nullable(Type.Boolean())) }, { additionalProperties: false });

export const VerifyPasswordResponse = Type.Object({ verified: Type.Boolean() });
export const VerifyTotpResponse = Type.Object({
  verified: Type.Boolean(),
  code_type: Type.Union([Type.Literal('totp'), Type.Literal('backup_code')]),
});
export const UserIdResponse = Type.Object({ user_id: Type.String() });

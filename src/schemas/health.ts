import { Type } from '@sinclair/typebox';

/** `GET /healthz`: the only answer when the database responds. */
export const HealthResponse = Type.Object({ status: Type.Literal('ok') });

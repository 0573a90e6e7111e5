import { Ajv, type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { ClerkApiError, errors } from '../errors.js';
import { CLERK_ERROR_KEYWORD } from '../schemas/user-list-query.js';

/**
 * Two validators: bodies are checked strictly (no type coercion, unknown keys kept so they
 * can be refused), while query strings and path params coerce, since everything there
 * arrives as text and a single `?email_address=x` must still read as an array.
 */
function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    verbose: true,
    strict: false,
  });
  ajv.addKeyword({ keyword: CLERK_ERROR_KEYWORD, schemaType: 'string' });
  return ajv;
}

const bodyAjv = makeAjv(false);
const queryAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema as object);

function paramName(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return String(error.params.additionalProperty);
  if (error.keyword === 'required') return String(error.params.missingProperty);
  return error.instancePath.split('/')[1] ?? '';
}

function expectedType(error: ErrorObject): string {
  const type = error.params.type;
  const names = (Array.isArray(type) ? type : String(type).split(',')).filter((t) => t !== 'null');
  return names.join(' or ');
}

/** Maps the first validation failure to the Clerk error a client can branch on. */
export function clerkErrorFromValidation(validation: ErrorObject[], context: string): ClerkApiError {
  const error = validation[0];
  if (!error) return errors.requestBodyInvalid();
  const param = paramName(error);
  const annotated = (error.parentSchema as Record<string, unknown> | undefined)?.[CLERK_ERROR_KEYWORD];
  if (annotated === 'form_param_invalid_date') return errors.paramInvalidDate(param);
  if (context === 'body' && error.instancePath === '' && error.keyword === 'type') {
    return errors.requestBodyInvalid('the body must be a JSON object');
  }
  switch (error.keyword) {
    case 'additionalProperties':
      return errors.paramUnknown(param);
    case 'required':
      return errors.paramMissing(param);
    case 'type':
      return errors.paramTypeInvalid(param, expectedType(error));
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return errors.paramValueInvalid(param, `${param} ${error.message ?? 'is out of range'}.`);
    case 'maxItems':
      return errors.paramValueInvalid(param, `${param} accepts at most ${String(error.params.limit)} values.`);
    case 'minLength':
      return errors.paramMinLengthNotMet(param, Number(error.params.limit));
    case 'maxLength':
      return errors.paramMaxLengthExceeded(param, Number(error.params.limit));
    default:
      // The value is not echoed: it may be a secret (a password of the wrong shape).
      return errors.paramValueInvalid(param, `The value does not match one of the allowed values for parameter ${param}`);
  }
}

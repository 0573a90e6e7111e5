/**
 * The one error type clerkd throws for anything a client did wrong. Services throw it
 * without knowing about HTTP; src/http/error-handler.ts renders it in Clerk's shape:
 * {"errors":[{"message","long_message","code","meta"}],"clerk_trace_id"}.
 * Codes and wording follow Clerk's Backend API error index.
 */
export interface ClerkErrorMeta {
  param_name?: string;
  [key: string]: unknown;
}

export class ClerkApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly longMessage: string;
  readonly meta: ClerkErrorMeta;
  /** Seconds, sent as `Retry-After` (429 and 503). */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    longMessage: string;
    meta?: ClerkErrorMeta;
    retryAfter?: number;
  }) {
    super(init.message);
    this.name = 'ClerkApiError';
    this.status = init.status;
    this.code = init.code;
    this.longMessage = init.longMessage;
    this.meta = init.meta ?? {};
    this.retryAfter = init.retryAfter;
  }
}

function paramError(code: string, param: string, message: string, longMessage: string, status = 422): ClerkApiError {
  return new ClerkApiError({ status, code, message, longMessage, meta: { param_name: param } });
}

export const errors = {
  authenticationInvalid: () =>
    new ClerkApiError({
      status: 401,
      code: 'authentication_invalid',
      message: 'Invalid authentication',
      longMessage: 'Unable to authenticate the request, you need to supply an active session',
    }),
  authorizationHeaderFormatInvalid: () =>
    new ClerkApiError({
      status: 401,
      code: 'authorization_header_format_invalid',
      message: 'Invalid Authorization header format',
      longMessage: "Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'",
    }),
  secretKeyInvalid: () =>
    new ClerkApiError({
      status: 401,
      code: 'clerk_key_invalid',
      message: 'The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.',
      longMessage: 'The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.',
    }),
  userNotFound: (userId: string) =>
    new ClerkApiError({
      status: 404,
      code: 'resource_not_found',
      message: 'not found',
      longMessage: `No user was found with id ${userId}`,
    }),
  resourceNotFound: () =>
    new ClerkApiError({ status: 404, code: 'resource_not_found', message: 'Resource not found', longMessage: 'Resource not found' }),
  imageNotFound: (param: string) =>
    paramError('image_not_found', param, 'Image not found', 'Image not found', 404),
  requestBodyInvalid: (detail?: string) =>
    new ClerkApiError({
      status: 400,
      code: 'request_body_invalid',
      message: 'Request body invalid',
      longMessage: detail
        ? `The request body is invalid: ${detail}`
        : 'The request body is invalid. Please consult the API documentation for more information.',
    }),
  unsupportedContentType: (actual: string, expected: string) =>
    new ClerkApiError({
      status: 415,
      code: 'unsupported_content_type',
      message: 'Content-Type is unsupported',
      longMessage: `Content-Type ${actual} is unsupported. You should use ${expected} instead.`,
    }),
  bodyTooLarge: (limitBytes: number) =>
    new ClerkApiError({
      status: 413,
      code: 'request_body_too_large',
      message: 'Request body too large',
      longMessage: `The request body exceeds the limit of ${limitBytes} bytes.`,
    }),
  malformedRequestParameters: () =>
    new ClerkApiError({
      status: 400,
      code: 'malformed_request_parameters',
      message: 'Malformed request parameters',
      longMessage: 'The request parameters are malformed and could not be parsed',
    }),
  invalidQueryParameterValue: (param: string, value: string) =>
    paramError('invalid_query_parameter_value', param, 'Invalid query parameter value', `${value} does not match one of the allowed values for parameter ${param}`, 400),
  paramUnknown: (param: string) => paramError('form_param_unknown', param, 'is unknown', `${param} is not a valid parameter for this request.`),
  paramMissing: (param: string) => paramError('form_param_missing', param, 'is missing', `${param} must be included.`),
  paramTypeInvalid: (param: string, type: string) =>
    paramError('form_param_type_invalid', param, 'is invalid', `\`${param}\` must be a \`${type}\`.`),
  paramValueInvalid: (param: string, longMessage: string) => paramError('form_param_value_invalid', param, 'is invalid', longMessage),
  paramFormatInvalid: (param: string, longMessage: string) => paramError('form_param_format_invalid', param, 'is invalid', longMessage),
  paramMaxLengthExceeded: (param: string, max: number) =>
    paramError('form_param_max_length_exceeded', param, 'is too long', `${param} should not exceed ${max} characters.`),
  paramMinLengthNotMet: (param: string, min: number) =>
    paramError('form_param_min_length_exceeded', param, 'is too short', `${param} must be at least ${min} characters long.`),
  paramInvalidTime: (param: string) =>
    paramError('form_param_invalid_time', param, 'invalid format', `${param} must contain a datetime specified in RFC3339 format (e.g. \`2022-10-20T10:00:27.645Z\`).`),
  paramInvalidDate: (param: string) =>
    paramError('form_param_invalid_date', param, 'Date values must be given in Unix millisecond timestamp format.', 'Date values must be given in Unix millisecond timestamp format.'),
  conditionalParamMissing: (param: string, condition: string) =>
    paramError('form_conditional_param_missing', param, 'is missing', `\`${param}\` is required when ${condition}.`),
  conditionalParamDisallowed: (param: string, condition: string) =>
    paramError('form_conditional_param_disallowed', param, 'is not allowed', `\`${param}\` isn't allowed when ${condition}.`),
  identifierExists: (param: string, what: string) =>
    paramError('form_identifier_exists', param, `That ${what} is taken. Please try another.`, `That ${what} is taken. Please try another.`),
  usernameInvalidLength: (min: number, max: number) =>
    paramError('form_username_invalid_length', 'username', 'is invalid', `Username must be between ${min} and ${max} characters long.`),
  usernameInvalidCharacter: () =>
    paramError('form_username_invalid_character', 'username', 'is invalid', 'Usernames can only contain letters, numbers, underscores (_) and dashes (-).'),
  usernameNeedsNonNumber: () =>
    paramError('form_username_needs_non_number_char', 'username', 'is invalid', 'Username must contain at least one non-number character.'),
  passwordTooShort: (min: number) =>
    paramError('form_password_length_too_short', 'password', `Passwords must be ${min} characters or more.`, `Passwords must be ${min} characters or more.`),
  passwordTooLong: (maxBytes: number) =>
    paramError('form_password_size_in_bytes_exceeded', 'password', 'Password is too long.', `Passwords must be at most ${maxBytes} bytes long.`),
  passwordDigestInvalid: (hasher: string) =>
    paramError('form_password_digest_invalid_code', 'password_digest', 'is invalid', `The password digest is not in the format of the ${hasher} hasher.`),
  passwordHasherNotVerifiable: (hasher: string) =>
    new ClerkApiError({
      status: 422,
      code: 'password_hasher_not_verifiable',
      message: 'password cannot be verified',
      longMessage: `Passwords imported with the ${hasher} hasher can only be verified by the provider that issued them (Amazon Cognito), which clerkd cannot reach. Set a new password for this user, or import a digest from another hasher.`,
      meta: { param_name: 'password' },
    }),
  passwordPwned: () =>
    paramError(
      'form_password_pwned',
      'password',
      'Password has been found in an online data breach. For account safety, please use a different password.',
      'Password has been found in an online data breach. For account safety, please use a different password.',
    ),
  noPasswordSet: () =>
    new ClerkApiError({ status: 400, code: 'no_password_set', message: 'no password set', longMessage: 'This user does not have a password set for their account' }),
  incorrectPassword: (attemptsRemaining: number) =>
    new ClerkApiError({
      status: 422,
      code: 'incorrect_password',
      message: 'incorrect password',
      longMessage: 'The provided password is not the one the user has set',
      meta: { verification_attempts_remaining: attemptsRemaining },
    }),
  userLocked: (expiresInSeconds: number | null) =>
    new ClerkApiError({
      status: 403,
      code: 'user_locked',
      message: 'Account locked',
      longMessage:
        expiresInSeconds === null
          ? 'Your account is locked. Please contact support for more information.'
          : `Your account is locked. You will be able to try again in ${expiresInSeconds} seconds.`,
      meta: { lockout_expires_in_seconds: expiresInSeconds },
    }),
  userBanned: () =>
    new ClerkApiError({ status: 403, code: 'user_banned', message: 'User banned', longMessage: 'You have been banned. Please contact support for more information.' }),
  totpDisabled: () =>
    new ClerkApiError({ status: 400, code: 'totp_disabled', message: 'TOTP is disabled', longMessage: 'This user does not have TOTP enabled in their account' }),
  totpIncorrectCode: (attemptsRemaining: number) =>
    new ClerkApiError({
      status: 422,
      code: 'totp_incorrect_code',
      message: 'incorrect TOTP',
      longMessage: 'The provided TOTP code is incorrect',
      meta: { verification_attempts_remaining: attemptsRemaining },
    }),
  totpInvalidLength: () =>
    new ClerkApiError({ status: 422, code: 'totp_invalid_length', message: 'invalid length', longMessage: 'The provided TOTP code must be 6 characters long.' }),
  backupCodeInvalid: () =>
    paramError('form_param_format_invalid', 'backup_codes', 'is invalid', 'Backup codes must be 4 to 64 characters of plain text, or bcrypt digests.'),
  totpSecretInvalid: () =>
    paramError('invalid_totp_secret_code', 'totp_secret', 'invalid TOTP secret', 'The TOTP secret is invalid, please provide a valid one base32 encoded'),
  metadataTooLarge: (param: string, maxBytes: number, bytes: number) =>
    paramError(
      'form_param_exceeds_allowed_size',
      param,
      'is too large',
      `${param} exceeds the maximum allowed size of ${maxBytes / 1024}KB (it is ${bytes} bytes when serialized).`,
    ),
  metadataNotAllowed: (param: string, apiVersion: string) =>
    paramError(
      'form_param_unknown',
      param,
      'is unknown',
      `${param} is not a valid parameter for this request. As of API version ${apiVersion}, use PATCH /v1/users/{user_id}/metadata or PUT /v1/users/{user_id}/metadata to change metadata.`,
    ),
  internal: () =>
    new ClerkApiError({
      status: 500,
      code: 'internal_clerk_error',
      message: 'Oops, an unexpected error occurred',
      longMessage: "There was an internal error on our servers. We've been notified and are working on fixing it.",
    }),
  databaseBusy: () =>
    new ClerkApiError({
      status: 503,
      code: 'service_unavailable',
      message: 'Service temporarily unavailable',
      longMessage: 'The database is busy. Please retry the request shortly.',
      retryAfter: 1,
    }),
  // Organizations: codes and wording from Clerk's error index (clerk/clerk-docs, docs/errors).
  organizationNotFound: () =>
    new ClerkApiError({ status: 404, code: 'resource_not_found', message: 'not found', longMessage: 'Given organization not found.' }),
  organizationMembershipNotFound: (organizationId: string, userId: string) =>
    new ClerkApiError({
      status: 404,
      code: 'resource_not_found',
      message: 'not found',
      longMessage: `User ${userId} is not a member of organization ${organizationId}.`,
    }),
  organizationCreatorNotFound: (userId: string) =>
    new ClerkApiError({
      status: 400,
      code: 'organization_creator_not_found',
      message: 'creator not found',
      longMessage: `No users found with id ${userId}.`,
      meta: { param_name: 'created_by' },
    }),
  alreadyAMemberInOrganization: (userId: string) =>
    new ClerkApiError({
      status: 400,
      code: 'already_a_member_in_organization',
      message: 'already a member',
      longMessage: `${userId} is already a member of the organization.`,
      meta: { param_name: 'user_id' },
    }),
  organizationMembershipQuotaExceeded: (max: number) =>
    new ClerkApiError({
      status: 403,
      code: 'organization_membership_quota_exceeded',
      message: 'organization membership quota exceeded',
      longMessage: `You have reached your limit of ${max} organization memberships, including outstanding invitations.`,
    }),
  organizationRoleInvalid: (role: string, allowed: readonly string[]) =>
    paramError('form_param_value_invalid', 'role', 'is invalid', `${role} does not match one of the allowed values for parameter role (${allowed.join(', ')})`),
  organizationNameInvalid: (name: string, reason: string) =>
    paramError('form_param_value_invalid', 'name', 'invalid organization name', `The organization name ${JSON.stringify(name)} is invalid: ${reason}`),
  organizationMetadataNotAllowed: (param: string, apiVersion: string) =>
    paramError(
      'form_param_unknown',
      param,
      'is unknown',
      `${param} is not a valid parameter for this request. As of API version ${apiVersion}, use PATCH /v1/organizations/{organization_id}/metadata or PUT /v1/organizations/{organization_id}/metadata to change metadata.`,
    ),
  oauthTokenProviderNotEnabled: (provider: string) =>
    new ClerkApiError({
      status: 404,
      code: 'oauth_token_provider_not_enabled',
      message: 'OAuth provider not enabled',
      longMessage: `Single-sign on for this OAuth provider is not enabled in the instance settings. (clerkd: the access token has expired and ${provider} has no token endpoint in CLERKD_OAUTH_PROVIDERS to refresh it with.)`,
      meta: { param_name: 'provider' },
    }),
  oauthMissingRefreshToken: () =>
    new ClerkApiError({
      status: 422,
      code: 'oauth_missing_refresh_token',
      message: 'Cannot refresh OAuth access token',
      longMessage:
        "The current access token has expired and we cannot refresh it, because the authorization server hasn't provided us with a refresh token",
    }),
  oauthTokenRetrievalError: () =>
    new ClerkApiError({
      status: 400,
      code: 'oauth_token_retrieval_error',
      message: 'Token retrieval failed',
      longMessage: 'Failed to retrieve a new access token from the OAuth provider',
    }),
  storedTokenUnreadable: () =>
    new ClerkApiError({
      status: 400,
      code: 'oauth_token_retrieval_error',
      message: 'Token retrieval failed',
      longMessage: 'The stored OAuth token cannot be decrypted with the configured CLERKD_ENCRYPTION_KEY (was the key changed?). Store the tokens again through the control surface.',
    }),
  // Code and message from Clerk's rate-limit error index (TooManyRequests); the long message adds which limit was hit.
  tooManyRequests: (limitDescription: string, retryAfterSeconds: number) =>
    new ClerkApiError({
      status: 429,
      code: 'too_many_requests',
      message: 'Too many requests',
      longMessage: `Too many requests, retry later. ${limitDescription} Retry after ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
      retryAfter: retryAfterSeconds,
    }),
  /** A storage fault (db/storage-faults.ts): the code and message name the cause. */
  storageFault: (kind: 'full' | 'io' | 'read_only' | 'corrupt', description: string) =>
    new ClerkApiError({
      status: 503,
      code: `storage_${kind === 'io' ? 'io_error' : kind}`,
      message: 'Storage unavailable',
      longMessage: `clerkd cannot use its database: ${description}. Nothing was changed by this request; retry once the storage is fixed.`,
      meta: { cause: kind },
      retryAfter: 30,
    }),
  databaseUnavailable: () =>
    new ClerkApiError({
      status: 503,
      code: 'service_unavailable',
      message: 'Service temporarily unavailable',
      longMessage: 'The database cannot be reached. Please retry the request shortly.',
      retryAfter: 5,
    }),
};

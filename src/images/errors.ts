import { ClerkApiError } from '../errors.js';

/**
 * The profile-image errors, in Clerk's shape. `fileMissing` is the one Clerk documents
 * (its `RequestWithoutImage`); the others reuse codes clients already branch on:
 * `form_param_format_invalid` (param `file`) for a file that is not a PNG, JPEG, GIF or
 * WebP, and `request_body_too_large` (param `file`) for one over the configured size.
 */
export const imageErrors = {
  fileMissing: () =>
    new ClerkApiError({
      status: 400,
      code: 'form_param_missing',
      message: 'Image file missing',
      longMessage: 'There was no image file present in the request',
      meta: { param_name: 'file' },
    }),
  formatUnsupported: () =>
    new ClerkApiError({
      status: 422,
      code: 'form_param_format_invalid',
      message: 'is invalid',
      longMessage: 'file must be a PNG, JPEG, GIF or WebP image.',
      meta: { param_name: 'file' },
    }),
  tooLarge: (maxBytes: number) =>
    new ClerkApiError({
      status: 413,
      code: 'request_body_too_large',
      message: 'Image file too large',
      longMessage: `The image file exceeds the limit of ${maxBytes} bytes.`,
      meta: { param_name: 'file' },
    }),
  multipartInvalid: (detail: string) =>
    new ClerkApiError({
      status: 400,
      code: 'request_body_invalid',
      message: 'Request body invalid',
      longMessage: `The request body is invalid: ${detail}`,
    }),
  unsupportedContentType: (actual: string) =>
    new ClerkApiError({
      status: 415,
      code: 'unsupported_content_type',
      message: 'Content-Type is unsupported',
      longMessage: `Content-Type ${actual} is unsupported. You should use multipart/form-data instead.`,
    }),
};

import type { DeletedObjectJson, ExternalAccountJson } from '../../schemas/user-response.js';
import type { ExternalAccountView } from '../../users/external-accounts.js';
import { serializeExternalAccount } from './user.js';

/** An external account on its own (the control surface), in the shape the User embeds. */
export function serializeExternalAccountView(view: ExternalAccountView): ExternalAccountJson {
  return serializeExternalAccount(view.account, view.identificationId);
}

export function serializeDeletedExternalAccount(id: string): DeletedObjectJson {
  return { object: 'external_account', id, deleted: true };
}

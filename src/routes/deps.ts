import type { Config } from '../config.js';
import type { CredentialService } from '../users/credentials.js';
import type { ExternalAccountService } from '../users/external-accounts.js';
import type { ProfileImageService } from '../users/profile-image.js';
import type { ModerationService } from '../users/moderation.js';
import type { OrganizationService } from '../organizations/service.js';
import type { UserService } from '../users/service.js';
import type { UserJson } from '../schemas/user-response.js';
import type { UserAggregate } from '../users/types.js';

/** What route plugins are given by buildApp: services and the one user serializer. */
export interface RouteDeps {
  config: Config;
  users: UserService;
  credentials: CredentialService;
  profileImages: ProfileImageService;
  moderation: ModerationService;
  organizations: OrganizationService;
  externalAccounts: ExternalAccountService;
  serializeUser(aggregate: UserAggregate): UserJson;
}

export interface RoutePluginOptions {
  deps: RouteDeps;
}

import { errors } from '../../errors.js';
import type { DigestHasher } from './types.js';

/**
 * `awscognito#<userpoolid>#<clientid>#<identifier>` (Clerk's create-user docs). It is not a
 * digest but a pointer: Clerk checks the password against Cognito on first sign-in and then
 * stores bcrypt. clerkd cannot reach Cognito, so the reference is kept and verifying says so.
 * The identifier (a username or email) may itself contain `#`, so it is everything after the
 * third separator.
 */
function parses(digest: string): boolean {
  const [scheme, userPoolId, clientId, ...identifier] = digest.split('#');
  const present = (part: string | undefined): boolean => part !== undefined && part !== '' && !/\s/.test(part);
  return scheme === 'awscognito' && present(userPoolId) && present(clientId) && identifier.join('#') !== '';
}

export const awsCognito: DigestHasher = {
  parses,
  verifiable: false,
  verify() {
    throw errors.passwordHasherNotVerifiable('awscognito');
  },
};

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argon2i, argon2id } from '../../src/passwords/digests/argon2.js';
import { bcrypt, bcryptPeppered, bcryptSha256Django } from '../../src/passwords/digests/bcrypt.js';
import { pbkdf2Sha1, pbkdf2Sha256, pbkdf2Sha256Django, pbkdf2Sha512, pbkdf2Sha512Hex } from '../../src/passwords/digests/pbkdf2.js';
import type { DigestHasher } from '../../src/passwords/digests/types.js';
import { digestParses, verifyDigest } from '../../src/passwords/imported.js';
import type { PasswordHasher } from '../../src/passwords/hashers.js';

/*
 * Every digest below was made by the system that exports it, never by clerkd, on Debian 12
 * (bookworm) packages, and pasted here so that the tests need none of those tools.
 * Unless a vector says otherwise its password is PASSWORD. Costs are lowered where the
 * producer allows it, to keep this file fast; a few keep the producer's default.
 *
 * Tools and versions:
 *   argon2 CLI      Debian `argon2` 0~20171227-0.3+deb12u1 (the reference implementation)
 *   argon2-cffi     Debian `python3-argon2` 21.1.0
 *   PHP             Debian `php-cli` 8.2.36 (password_hash, crypt)
 *   htpasswd        Debian `apache2-utils` 2.4.71-1~deb12u1
 *   Python bcrypt   Debian `python3-bcrypt` 3.2.2
 *   Ruby bcrypt     Debian `ruby-bcrypt` 3.1.18, and Devise 4.8.1 (`ruby-devise`)
 *   Django          Debian `python3-django` 3.2.25 (make_password)
 *   passlib         Debian `python3-passlib` 1.7.4
 *   GRUB            Debian `grub-common` 2.06-13+deb12u2 (grub-mkpasswd-pbkdf2)
 *   OpenSSL         3.0.19 (`openssl kdf … PBKDF2`), for Clerk's own hex shapes that no
 *                   packaged exporter writes
 */

const PASSWORD = 's3cr3t-pass';
const WRONG_PASSWORD = 's3cr3t-pasS';
const UNICODE_PASSWORD = 'pässwörd-🔑';
// 80 ASCII bytes: past bcrypt's 72-byte limit.
const LONG_PASSWORD = 'this-passphrase-is-longer-than-seventy-two-bytes-so-bcrypt-truncates-it-here-XYZ';

interface Vector {
  /** Producer and the exact command. */
  source: string;
  digest: string;
  password?: string;
}

function itVerifies(hasher: DigestHasher, vectors: Vector[]): void {
  for (const { source, digest, password = PASSWORD } of vectors) {
    it(`parses and verifies ${source}`, async () => {
      assert.equal(hasher.parses(digest), true);
      assert.equal(await hasher.verify(password, digest), true);
    });
  }
}

function itRejectsWrongPassword(hasher: DigestHasher, vectors: Vector[]): void {
  for (const { source, digest } of vectors) {
    it(`rejects a wrong password for ${source}`, async () => {
      assert.equal(await hasher.verify(WRONG_PASSWORD, digest), false);
    });
  }
}

function itDoesNotParse(hasher: DigestHasher, malformed: Record<string, string>): void {
  for (const [why, digest] of Object.entries(malformed)) {
    it(`does not parse a digest with ${why}`, () => {
      assert.equal(hasher.parses(digest), false);
    });
  }
}

// ---------------------------------------------------------------------------------------
// argon2i / argon2id
// ---------------------------------------------------------------------------------------

const ARGON2I: Vector[] = [
  {
    source: 'argon2 CLI v=19: echo -n s3cr3t-pass | argon2 clerkdsalt01 -i -t 2 -m 8 -p 1 -e',
    digest: '$argon2i$v=19$m=256,t=2,p=1$Y2xlcmtkc2FsdDAx$bqWybkQAL9sGL4Wmipg1YkIqkqMrxPAlBOZcLGPqgw8',
  },
  {
    source: 'argon2 CLI v=16: echo -n s3cr3t-pass | argon2 clerkdsalt01 -i -t 2 -m 8 -p 1 -v 10 -e',
    digest: '$argon2i$v=16$m=256,t=2,p=1$Y2xlcmtkc2FsdDAx$EvHZoeAAr0Mm1+o/L4DOKMtYbqF/CBLbTfJu9x1/Dmw',
  },
  {
    // No `v=`: Argon2 1.0. Published in the reference implementation's own tests:
    // github.com/P-H-C/phc-winner-argon2 src/test.c (commit 5d4f7552), password "password".
    source: 'phc-winner-argon2 src/test.c version-0x10 vector without v=',
    digest: '$argon2i$m=256,t=2,p=1$c29tZXNhbHQ$/U3YPXYsSb3q9XxHvc0MLxur+GP960kN9j7emXX8zwY',
    password: 'password',
  },
  {
    source: 'argon2-cffi: PasswordHasher(time_cost=2, memory_cost=256, parallelism=1, type=Type.I).hash(...)',
    digest: '$argon2i$v=19$m=256,t=2,p=1$h2V/0kHWNvbYtkv9typQ2g$2FrdcOmF7VRfD6XtRmCzTA',
  },
  {
    source: 'PHP: password_hash(..., PASSWORD_ARGON2I, [memory_cost=>256, time_cost=>2, threads=>1])',
    digest: '$argon2i$v=19$m=256,t=2,p=1$eEVGMzVVT056dm83U0UzUQ$VwmAv217ZAOkkI1F5XQ1Foof24Shkq9cvT5N78M5PTo',
  },
];

const ARGON2ID: Vector[] = [
  {
    source: 'argon2 CLI v=19: echo -n s3cr3t-pass | argon2 clerkdsalt01 -id -t 2 -m 8 -p 2 -e',
    digest: '$argon2id$v=19$m=256,t=2,p=2$Y2xlcmtkc2FsdDAx$hy9xaBW1SvyeoS9Wed1mYEeBhOYVIx9hkypl7800WTY',
  },
  {
    source: 'argon2 CLI v=16: echo -n s3cr3t-pass | argon2 clerkdsalt01 -id -t 3 -m 9 -p 1 -v 10 -e',
    digest: '$argon2id$v=16$m=512,t=3,p=1$Y2xlcmtkc2FsdDAx$qtOG+B5bb0q4uM2RoGxdofNg+TLSXzUqgU8jjxA9Qr8',
  },
  {
    // The CLI vector above with its parameters written m, p, t: the order the `argon2` npm
    // package writes (and so clerkd's own native digests).
    source: 'argon2 CLI v=19 (first vector) with parameters reordered to m,p,t',
    digest: '$argon2id$v=19$m=256,p=2,t=2$Y2xlcmtkc2FsdDAx$hy9xaBW1SvyeoS9Wed1mYEeBhOYVIx9hkypl7800WTY',
  },
  {
    // node-argon2 is also what verifies here, so this one only pins the shape it writes.
    source: "node-argon2 0.45.1: argon2.hash(pw, {type: argon2id, memoryCost: 256, timeCost: 2, parallelism: 1})",
    digest: '$argon2id$v=19$m=256,p=1,t=2$KKqJlPAa1m1KOEtvlTUbqw$sPoYgwMpwY4+GyTWWL0dWK2VYRoFpl5Zf32xrwVq5WI',
  },
  {
    source: 'argon2 CLI, UTF-8 password: echo -n pässwörd-🔑 | argon2 utf8saltsalt -id -t 1 -m 8 -p 1 -e',
    digest: '$argon2id$v=19$m=256,t=1,p=1$dXRmOHNhbHRzYWx0$x/1wQwobHwixQ9Db2ym0gKqOkd4upm/QGqYesbiXXY0',
    password: UNICODE_PASSWORD,
  },
  {
    source: 'argon2-cffi: PasswordHasher(time_cost=2, memory_cost=256, parallelism=1).hash(...)',
    digest: '$argon2id$v=19$m=256,t=2,p=1$WWy6fffOMMXYf2Qp1vGOeA$6LsZmV3FS2QoJfcAJ7Yj4Q',
  },
  {
    source: 'PHP: password_hash(..., PASSWORD_ARGON2ID, [memory_cost=>256, time_cost=>2, threads=>1])',
    digest: '$argon2id$v=19$m=256,t=2,p=1$NEFwVUJmTnZYVS90cDY4Sw$bMwq4p5+NfUPdGQoK7x5tzZJo5r5Jb4aFxgwMq5o//k',
  },
];

const ARGON2_SALT_HASH = 'Y2xlcmtkc2FsdDAx$bqWybkQAL9sGL4Wmipg1YkIqkqMrxPAlBOZcLGPqgw8';

describe('argon2i', () => {
  itVerifies(argon2i, ARGON2I);
  itRejectsWrongPassword(argon2i, ARGON2I);
  itDoesNotParse(argon2i, {
    'nothing in it': '',
    'the argon2id prefix': ARGON2ID[0]!.digest,
    'the argon2d variant': `$argon2d$v=19$m=256,t=2,p=1$${ARGON2_SALT_HASH}`,
    'an unknown version': `$argon2i$v=18$m=256,t=2,p=1$${ARGON2_SALT_HASH}`,
    'its hash cut off': '$argon2i$v=19$m=256,t=2,p=1$Y2xlcmtkc2FsdDAx',
    'its hash truncated to 15 bytes': '$argon2i$v=19$m=256,t=2,p=1$Y2xlcmtkc2FsdDAx$bqWybkQAL9sGL4Wmipg1',
    'a hash length no base64 has': '$argon2i$v=19$m=256,t=2,p=1$Y2xlcmtkc2FsdDAx$bqWybkQAL9sGL4Wmipg1YkIqkqMrxPAlBOZcLGPqgw8AA',
    'base64 padding': '$argon2i$v=19$m=256,t=2,p=1$Y2xlcmtkc2FsdDAx$bqWybkQAL9sGL4Wmipg1YkIqkqMrxPAlBOZcLGPqgw8=',
    'a salt under 8 bytes': '$argon2i$v=19$m=256,t=2,p=1$c2FsdA$bqWybkQAL9sGL4Wmipg1YkIqkqMrxPAlBOZcLGPqgw8',
    'non-numeric memory': `$argon2i$v=19$m=abc,t=2,p=1$${ARGON2_SALT_HASH}`,
    'a repeated parameter': `$argon2i$v=19$m=256,t=2,p=1,t=3$${ARGON2_SALT_HASH}`,
    'a missing parameter': `$argon2i$v=19$m=256,t=2$${ARGON2_SALT_HASH}`,
    'an empty parameter list': `$argon2i$v=19$$${ARGON2_SALT_HASH}`,
    'an extra parameter': `$argon2i$v=19$m=256,t=2,p=1,keyid=abc$${ARGON2_SALT_HASH}`,
    'zero passes': `$argon2i$v=19$m=256,t=0,p=1$${ARGON2_SALT_HASH}`,
    'zero lanes': `$argon2i$v=19$m=256,t=2,p=0$${ARGON2_SALT_HASH}`,
    'less memory than 8 KiB per lane': `$argon2i$v=19$m=256,t=2,p=64$${ARGON2_SALT_HASH}`,
    'memory above 1 GiB': `$argon2i$v=19$m=2097152,t=1,p=1$${ARGON2_SALT_HASH}`,
    'memory × passes above libsodium SENSITIVE': `$argon2i$v=19$m=1048576,t=5,p=1$${ARGON2_SALT_HASH}`,
    'absurd passes': `$argon2i$v=19$m=256,t=99999999,p=1$${ARGON2_SALT_HASH}`,
  });

  it('parses the costliest parameters it allows (1 GiB × 4 passes)', () => {
    assert.equal(argon2i.parses(`$argon2i$v=19$m=1048576,t=4,p=1$${ARGON2_SALT_HASH}`), true);
  });
});

describe('argon2id', () => {
  itVerifies(argon2id, ARGON2ID);
  itRejectsWrongPassword(argon2id, ARGON2ID);
  itDoesNotParse(argon2id, {
    'nothing in it': '',
    'the argon2i prefix': ARGON2I[0]!.digest,
    'no leading $': ARGON2ID[0]!.digest.slice(1),
    'its salt and hash cut off': '$argon2id$v=19$m=256,t=2,p=2',
    'leading zeros in memory': `$argon2id$v=19$m=0256,t=2,p=1$${ARGON2_SALT_HASH}`,
    'non-numeric passes': `$argon2id$v=19$m=256,t=x,p=1$${ARGON2_SALT_HASH}`,
    'more than 255 lanes': `$argon2id$v=19$m=65536,t=1,p=256$${ARGON2_SALT_HASH}`,
  });

  it('does not verify against a digest that does not parse', async () => {
    assert.equal(await argon2id.verify(PASSWORD, ARGON2I[0]!.digest), false);
  });
});

// ---------------------------------------------------------------------------------------
// bcrypt / bcrypt_peppered / bcrypt_sha256_django
// ---------------------------------------------------------------------------------------

const BCRYPT: Vector[] = [
  { source: 'htpasswd $2y$: htpasswd -nbB -C 5 user s3cr3t-pass', digest: '$2y$05$LbjuNrR5SQdfr0Cq.wT/YOVdjKqLKP8d7dVi.9mDg4RV3UPjfb9Fe' },
  {
    source: 'PHP $2y$: password_hash(..., PASSWORD_BCRYPT, [cost=>5])',
    digest: '$2y$05$OHZZ6zhGAe1GPHcCUtrEjeotJESeE.clAlAsr7mrjDaI8T3DVIxa6',
  },
  { source: 'Python bcrypt $2b$: bcrypt.hashpw(pw, bcrypt.gensalt(5))', digest: '$2b$05$XmFCHNtEHsZh0YAPwtRmS.p.lZRTYNoA5/mLdsFA1wui1AwDCq1pO' },
  {
    source: 'Python bcrypt $2a$: bcrypt.hashpw(pw, bcrypt.gensalt(4, prefix=b"2a"))',
    digest: '$2a$04$cZ41vRdcXnTNQFG3M2tSRu1g1dTndmwzwjtGpMClcDsjcVkYXF3Au',
  },
  {
    source: 'Python bcrypt, UTF-8 password: bcrypt.hashpw("pässwörd-🔑".encode(), bcrypt.gensalt(4))',
    digest: '$2b$04$OqmZhGvMv47GzhPtDsJnqOILaXYi2/DJY5qhfKSUUpCW93grnmcqG',
    password: UNICODE_PASSWORD,
  },
  { source: 'Ruby bcrypt $2a$: BCrypt::Password.create(pw, cost: 4)', digest: '$2a$04$AM3CmDz5HMtXdyd/T7sy.eoiuOPukBL1xcvgGKGGQQCY.Fv8yZKAq' },
  {
    source: 'PHP crypt_blowfish $2x$: crypt(pw, "$2x$04$abcdefghijklmnopqrstuu")',
    digest: '$2x$04$abcdefghijklmnopqrstuupbtxNs0Xh3WxtcDqV/YqkG.kt1gyOnS',
  },
  {
    source: 'PHP crypt_blowfish $2a$, UTF-8 password: crypt("pässwörd-🔑", "$2a$04$abcdefghijklmnopqrstuu")',
    digest: '$2a$04$abcdefghijklmnopqrstuuJ7kOBhrVTgG9KYDa0ybRyoA6v.7M/jO',
    password: UNICODE_PASSWORD,
  },
];

// htpasswd -nbB -C 4 user <LONG_PASSWORD>
const HTPASSWD_LONG = '$2y$04$CJFqGS16PaUQC06tZYzYReKuH2njkxq8G.qH7Kjf4QuZ6Ge3pLrBy';

describe('bcrypt', () => {
  itVerifies(bcrypt, BCRYPT);
  itRejectsWrongPassword(bcrypt, BCRYPT);
  itDoesNotParse(bcrypt, {
    'nothing in it': '',
    'the original $2$ prefix': '$2$05$LbjuNrR5SQdfr0Cq.wT/YOVdjKqLKP8d7dVi.9mDg4RV3UPjfb9Fe',
    'an unknown minor version': '$2c$05$LbjuNrR5SQdfr0Cq.wT/YOVdjKqLKP8d7dVi.9mDg4RV3UPjfb9Fe',
    'its last character cut off': BCRYPT[0]!.digest.slice(0, -1),
    'a character too many': `${BCRYPT[0]!.digest}a`,
    'a character outside bcrypt base64': '$2y$05$LbjuNrR5SQdfr0Cq+wT/YOVdjKqLKP8d7dVi.9mDg4RV3UPjfb9Fe',
    'a one-digit cost': '$2y$5$LbjuNrR5SQdfr0Cq.wT/YOVdjKqLKP8d7dVi.9mDg4RV3UPjfb9Fe',
    'a non-numeric cost': '$2y$1a$LbjuNrR5SQdfr0Cq.wT/YOVdjKqLKP8d7dVi.9mDg4RV3UPjfb9Fe',
    'cost 03, below bcrypt’s minimum': '$2y$03$LbjuNrR5SQdfr0Cq.wT/YOVdjKqLKP8d7dVi.9mDg4RV3UPjfb9Fe',
    'cost 17, above the bound': '$2y$17$LbjuNrR5SQdfr0Cq.wT/YOVdjKqLKP8d7dVi.9mDg4RV3UPjfb9Fe',
    'cost 31': '$2y$31$LbjuNrR5SQdfr0Cq.wT/YOVdjKqLKP8d7dVi.9mDg4RV3UPjfb9Fe',
    'a Devise pepper appended': `${BCRYPT[0]!.digest}$pepper`,
    "Django's bcrypt_sha256$ prefix": `bcrypt_sha256$${BCRYPT[2]!.digest}`,
  });

  it('verifies a password longer than 72 bytes, as htpasswd hashed it', async () => {
    assert.equal(await bcrypt.verify(LONG_PASSWORD, HTPASSWD_LONG), true);
  });

  it('ignores bytes past the 72nd, as every bcrypt producer does', async () => {
    assert.equal(await bcrypt.verify(`${LONG_PASSWORD.slice(0, 72)}-anything`, HTPASSWD_LONG), true);
    assert.equal(await bcrypt.verify(LONG_PASSWORD.slice(0, 71), HTPASSWD_LONG), false);
  });

  it('does not verify a $2x$ hash whose 8-bit password was altered by crypt_blowfish’s old bug', async () => {
    // PHP: crypt("\xA3bc-\xFFpass", "$2x$04$abcdefghijklmnopqrstuu"). bcryptjs cannot
    // reproduce the sign-extension bug, so such a digest can never verify; documented.
    const password = Buffer.from('a362632dff70617373', 'hex').toString('latin1');
    assert.equal(await bcrypt.verify(password, '$2x$04$abcdefghijklmnopqrstuuOlxrAOLS60DwrGzWvC7Ek/tMOKgSBMW'), false);
  });
});

// Devise 4.8.1, Devise::Encryptor.digest(klass, "s3cr3t-pass") with klass.pepper as below
// and klass.stretches = 4, run as:
//   ruby -e 'require "active_support"; require "active_support/core_ext/object/blank";
//            require "devise/encryptor"; K = Struct.new(:pepper, :stretches);
//            puts Devise::Encryptor.digest(K.new("d3v1se-pepper-7f3a", 4), "s3cr3t-pass")'
// Clerk's format appends `$<pepper>` to Devise's digest.
const DEVISE_BCRYPT = '$2a$04$D1Gkpazi7LJ5R9DbnPdq/eH0YIq4AHCrPhazfMOzWSCjiBDE0waAO';
const DEVISE_PEPPER = 'd3v1se-pepper-7f3a';
const PEPPERED: Vector[] = [
  { source: 'Devise 4.8.1 Encryptor.digest, pepper "d3v1se-pepper-7f3a"', digest: `${DEVISE_BCRYPT}$${DEVISE_PEPPER}` },
  {
    source: 'Devise 4.8.1 Encryptor.digest, pepper "pep$per" (a $ inside the pepper)',
    digest: '$2a$04$uZO2BxrcvTRLJOblOxZap.kaC1vMYEMgl7TUzX0lG7KNIqkAApXiG$pep$per',
  },
];

describe('bcrypt_peppered', () => {
  itVerifies(bcryptPeppered, PEPPERED);
  itRejectsWrongPassword(bcryptPeppered, PEPPERED);
  itDoesNotParse(bcryptPeppered, {
    'nothing in it': '',
    'no pepper (a plain bcrypt digest)': DEVISE_BCRYPT,
    'an empty pepper': `${DEVISE_BCRYPT}$`,
    'a truncated bcrypt part': `${DEVISE_BCRYPT.slice(0, -1)}$${DEVISE_PEPPER}`,
    'no $ before the pepper': `${DEVISE_BCRYPT}${DEVISE_PEPPER}`,
    'an absurd cost': `$2a$24${DEVISE_BCRYPT.slice(6)}$${DEVISE_PEPPER}`,
  });

  it('hashes the password followed by the pepper, as Devise does', async () => {
    assert.equal(await bcrypt.verify(`${PASSWORD}${DEVISE_PEPPER}`, DEVISE_BCRYPT), true);
    assert.equal(await bcryptPeppered.verify(`${PASSWORD}${DEVISE_PEPPER}`, PEPPERED[0]!.digest), false);
    assert.equal(await bcryptPeppered.verify(`${DEVISE_PEPPER}${PASSWORD}`, PEPPERED[0]!.digest), false);
  });
});

// Django 3.2.25: settings.configure(PASSWORD_HASHERS=[...BCryptSHA256PasswordHasher]);
// make_password(pw, hasher='bcrypt_sha256'); the cost-5 ones from a subclass with rounds = 5.
const DJANGO_BCRYPT_SHA256: Vector[] = [
  {
    source: "Django make_password(pw, hasher='bcrypt_sha256'), default cost 12",
    digest: 'bcrypt_sha256$$2b$12$QfcoXFeaQ7aM1Fk09aWonO5KQK0TfLqo2xD..Ju3TokF44xBoq0/O',
  },
  { source: 'Django BCryptSHA256PasswordHasher, rounds = 5', digest: 'bcrypt_sha256$$2b$05$j8JL.q1QylINDAeY3.W.leuyg1drYhhH8e1uR1.Sz8hyEMyqDKb8C' },
  {
    source: 'Django BCryptSHA256PasswordHasher, rounds = 5, 80-byte password',
    digest: 'bcrypt_sha256$$2b$05$F5i1YxHCRK4IYzP0W1/YauE.0HsDiR8fG3kTS2klLpfuaJ/duyX5K',
    password: LONG_PASSWORD,
  },
];

describe('bcrypt_sha256_django', () => {
  itVerifies(bcryptSha256Django, DJANGO_BCRYPT_SHA256);
  itRejectsWrongPassword(bcryptSha256Django, DJANGO_BCRYPT_SHA256.slice(1));
  itDoesNotParse(bcryptSha256Django, {
    'nothing in it': '',
    'no bcrypt_sha256 prefix': BCRYPT[2]!.digest,
    'a single $ after the prefix': 'bcrypt_sha256$2b$05$j8JL.q1QylINDAeY3.W.leuyg1drYhhH8e1uR1.Sz8hyEMyqDKb8C',
    "Django's plain bcrypt$ prefix": 'bcrypt$$2b$05$j8JL.q1QylINDAeY3.W.leuyg1drYhhH8e1uR1.Sz8hyEMyqDKb8C',
    'its last character cut off': DJANGO_BCRYPT_SHA256[1]!.digest.slice(0, -1),
    'an absurd cost': 'bcrypt_sha256$$2b$99$j8JL.q1QylINDAeY3.W.leuyg1drYhhH8e1uR1.Sz8hyEMyqDKb8C',
  });

  it('does not truncate long passwords, since bcrypt sees only their SHA-256', async () => {
    assert.equal(await bcryptSha256Django.verify(`${LONG_PASSWORD.slice(0, 72)}-anything`, DJANGO_BCRYPT_SHA256[2]!.digest), false);
  });

  it('does not verify the bcrypt part against the raw password', async () => {
    assert.equal(await bcrypt.verify(PASSWORD, DJANGO_BCRYPT_SHA256[1]!.digest.slice('bcrypt_sha256$'.length)), false);
  });
});

// ---------------------------------------------------------------------------------------
// PBKDF2
// ---------------------------------------------------------------------------------------

// OpenSSL vectors come from
//   openssl kdf -keylen <L> -kdfopt digest:<SHA1|SHA256|SHA512> -kdfopt pass:s3cr3t-pass \
//     -kdfopt salt:<text> | -kdfopt hexsalt:<hex>  -kdfopt iter:<N> PBKDF2
// with the colons dropped and upper-case hex lowered (base64 via `xxd -r -p | base64`).

const PBKDF2_SHA1: Vector[] = [
  {
    source: 'Clerk 4-field shape, text salt, hex hash (OpenSSL: keylen 32, salt:Xq9tQ2rLm8, iter 10000)',
    digest: 'pbkdf2_sha1$10000$Xq9tQ2rLm8$fc129e42cf29ab1a56086eb587ab28e2f7542278c4a4d99d0df18f627de8003a',
  },
  {
    source: 'Clerk 4-field shape, hex-looking salt hashed as text (OpenSSL: salt:0123456789abcdef)',
    digest: 'pbkdf2_sha1$10000$0123456789abcdef$3f80451316351980e085c7391a95056e140b207a22996009c6db268e5dfd8598',
  },
  {
    source: 'Clerk 4-field shape, hex salt hashed as bytes (OpenSSL: hexsalt:5f3c9a0d1e2b4c6d)',
    digest: 'pbkdf2_sha1$10000$5f3c9a0d1e2b4c6d$2604fcb0422cf799273c34625eaf6ce204d1fd007dbaade1d59c4aaa34bd0785',
  },
  {
    source: 'Clerk 5-field shape, hex salt, key length 20 (OpenSSL: keylen 20, hexsalt:a1b2…8f90)',
    digest: 'pbkdf2_sha1$10000$a1b2c3d4e5f60718293a4b5c6d7e8f90$b9a872ebfeca91095755d22ae50f5fdfc5e893f1$20',
  },
  {
    source: 'Clerk 5-field shape, non-hex salt used raw, key length 24 (OpenSSL: keylen 24, salt:not-hex-salt!)',
    digest: 'pbkdf2_sha1$10000$not-hex-salt!$9f78f6dad8647357f266429688dd237b9580c33b710e29a8$24',
  },
  {
    source: "Django make_password(pw, hasher='pbkdf2_sha1'): text salt, base64 hash",
    digest: 'pbkdf2_sha1$260000$vQowyZDaZnHJzf1h9zk9wb$BBym6qaOlh+D3/Ecu8YfwlUBRZg=',
  },
  {
    source: 'passlib django_pbkdf2_sha1.using(rounds=10000).hash(pw)',
    digest: 'pbkdf2_sha1$10000$80LGIYYJveu6$ksBkwV9WWAOnSsr51UuekPrwjag=',
  },
  {
    // passlib writes `$pbkdf2$1000$l5JS…$reem…`; renamed to Clerk's prefix, fields unchanged.
    source: 'passlib pbkdf2_sha1.using(rounds=1000).hash(pw), renamed from $pbkdf2$ (adapted base64)',
    digest: 'pbkdf2_sha1$1000$l5JSinEOwZjTGiPk3JvT.g$reem3eN/fMAwzoYU/UnDx/Cx9g4',
  },
];

describe('pbkdf2_sha1', () => {
  itVerifies(pbkdf2Sha1, PBKDF2_SHA1);
  itRejectsWrongPassword(pbkdf2Sha1, PBKDF2_SHA1);
  itDoesNotParse(pbkdf2Sha1, {
    'nothing in it': '',
    'the pbkdf2_sha256 prefix': 'pbkdf2_sha256$10000$Xq9tQ2rLm8$fc129e42cf29ab1a56086eb587ab28e2f7542278c4a4d99d0df18f627de8003a',
    "passlib's own $pbkdf2$ prefix": '$pbkdf2$1000$l5JSinEOwZjTGiPk3JvT.g$reem3eN/fMAwzoYU/UnDx/Cx9g4',
    'its hash cut off': 'pbkdf2_sha1$10000$Xq9tQ2rLm8',
    'a hex hash that lost a character': 'pbkdf2_sha1$10000$Xq9tQ2rLm8$fc129e42cf29ab1a56086eb587ab28e2f7542278c4a4d99d0df18f627de8003',
    'a hash shorter than 16 bytes': 'pbkdf2_sha1$10000$Xq9tQ2rLm8$fc129e42cf29ab1a56086eb587ab28',
    'an empty salt': 'pbkdf2_sha1$10000$$fc129e42cf29ab1a56086eb587ab28e2f7542278c4a4d99d0df18f627de8003a',
    'non-numeric iterations': 'pbkdf2_sha1$ten$Xq9tQ2rLm8$fc129e42cf29ab1a56086eb587ab28e2f7542278c4a4d99d0df18f627de8003a',
    'zero iterations': 'pbkdf2_sha1$0$Xq9tQ2rLm8$fc129e42cf29ab1a56086eb587ab28e2f7542278c4a4d99d0df18f627de8003a',
    'negative iterations': 'pbkdf2_sha1$-1$Xq9tQ2rLm8$fc129e42cf29ab1a56086eb587ab28e2f7542278c4a4d99d0df18f627de8003a',
    'iterations above 10 million': 'pbkdf2_sha1$10000001$Xq9tQ2rLm8$fc129e42cf29ab1a56086eb587ab28e2f7542278c4a4d99d0df18f627de8003a',
    'a key length that disagrees with the hash': 'pbkdf2_sha1$10000$a1b2c3d4e5f60718293a4b5c6d7e8f90$b9a872ebfeca91095755d22ae50f5fdfc5e893f1$32',
    'a base64 hash in the 5-field shape': 'pbkdf2_sha1$10000$80LGIYYJveu6$ksBkwV9WWAOnSsr51UuekPrwjag=$20',
    'a sixth field': 'pbkdf2_sha1$10000$a1b2c3d4e5f60718293a4b5c6d7e8f90$b9a872ebfeca91095755d22ae50f5fdfc5e893f1$20$x',
  });

  it('parses up to 10 million iterations', () => {
    assert.equal(pbkdf2Sha1.parses('pbkdf2_sha1$10000000$Xq9tQ2rLm8$fc129e42cf29ab1a56086eb587ab28e2f7542278c4a4d99d0df18f627de8003a'), true);
  });
});

// Django 3.2.25: make_password(pw, hasher='pbkdf2_sha256'), default 260000 iterations.
const DJANGO_PBKDF2_SHA256: Vector[] = [
  {
    source: "Django make_password(pw, hasher='pbkdf2_sha256')",
    digest: 'pbkdf2_sha256$260000$dSY8syRUFQBo6neu34s9S9$mZoUgIdeT4oFxjXzENGTwrfl4DX+iJ/7qYZ8SErCHh4=',
  },
  {
    source: "Django make_password('pässwörd-🔑', hasher='pbkdf2_sha256')",
    digest: 'pbkdf2_sha256$260000$cTYn85eQrg3YfzVNmeF4Rf$Qp+k49xNN3lVjbQgdsPP9MFx092oPz/+sdlN4EzwMsU=',
    password: UNICODE_PASSWORD,
  },
  {
    source: 'passlib django_pbkdf2_sha256.using(rounds=10000).hash(pw)',
    digest: 'pbkdf2_sha256$10000$N7FsObFKOU9F$qplPU0c6b4QcUuhs1bp5Aca4rcbGEA9D+xuznSRIAJc=',
  },
];

const CLERK_PBKDF2_SHA256: Vector[] = [
  {
    source: 'Clerk shape, base64 salt and hash (OpenSSL: keylen 32, hexsalt:6b1f3a9c2d4e5f607182930a1b2c3d4e, iter 10000)',
    digest: 'pbkdf2_sha256$10000$ax86nC1OX2BxgpMKGyw9Tg==$AFpK1IEyQ3i7ipP+j44BCfeBNQkvSqj26J23wdym5J0=',
  },
  {
    // passlib writes `$pbkdf2-sha256$1000$Pae0…$RdJy…`; renamed to Clerk's prefix.
    source: 'passlib pbkdf2_sha256.using(rounds=1000).hash(pw), renamed from $pbkdf2-sha256$',
    digest: 'pbkdf2_sha256$1000$Pae0lnJuLeW8lzIGYCzFuA$RdJySuAQZAhq/qOn4ZAkEzmbws7/kwvKLts2WFMSlxg',
  },
];

const PBKDF2_SHA256_MALFORMED = {
  'nothing in it': '',
  'the pbkdf2_sha1 prefix': 'pbkdf2_sha1$10000$N7FsObFKOU9F$qplPU0c6b4QcUuhs1bp5Aca4rcbGEA9D+xuznSRIAJc=',
  "passlib's own $pbkdf2-sha256$ prefix": '$pbkdf2-sha256$1000$Pae0lnJuLeW8lzIGYCzFuA$RdJySuAQZAhq/qOn4ZAkEzmbws7/kwvKLts2WFMSlxg',
  'its hash cut off': 'pbkdf2_sha256$10000$N7FsObFKOU9F',
  'a hash that is not base64': 'pbkdf2_sha256$10000$N7FsObFKOU9F$qplPU0c6b4QcUuhs1bp5Aca4rcbGEA9D+xuznSRIAJc*',
  'a base64 length no encoder writes': 'pbkdf2_sha256$10000$N7FsObFKOU9F$qplPU0c6b4QcUuhs1bp5Aca4rcbGEA9D+xuznSRIAJcAB',
  'misplaced padding': 'pbkdf2_sha256$10000$N7FsObFKOU9F$qplPU0c6b4QcUuhs1bp5Aca4rcbGEA9D+xuznSRIAJ=',
  'a hash shorter than 16 bytes': 'pbkdf2_sha256$10000$N7FsObFKOU9F$qplPU0c6b4QcUuhs1bp5',
  'an empty salt': 'pbkdf2_sha256$10000$$qplPU0c6b4QcUuhs1bp5Aca4rcbGEA9D+xuznSRIAJc=',
  'non-numeric iterations': 'pbkdf2_sha256$1e4$N7FsObFKOU9F$qplPU0c6b4QcUuhs1bp5Aca4rcbGEA9D+xuznSRIAJc=',
  'iterations above 10 million': 'pbkdf2_sha256$99999999$N7FsObFKOU9F$qplPU0c6b4QcUuhs1bp5Aca4rcbGEA9D+xuznSRIAJc=',
  'a fifth field': 'pbkdf2_sha256$10000$N7FsObFKOU9F$qplPU0c6b4QcUuhs1bp5Aca4rcbGEA9D+xuznSRIAJc=$32',
};

describe('pbkdf2_sha256', () => {
  itVerifies(pbkdf2Sha256, CLERK_PBKDF2_SHA256);
  itRejectsWrongPassword(pbkdf2Sha256, CLERK_PBKDF2_SHA256);
  itDoesNotParse(pbkdf2Sha256, PBKDF2_SHA256_MALFORMED);

  it('also verifies a Django export sent under this name (salt read as text)', async () => {
    const [django] = DJANGO_PBKDF2_SHA256;
    assert.equal(await pbkdf2Sha256.verify(PASSWORD, django!.digest), true);
    assert.equal(await pbkdf2Sha256.verify(WRONG_PASSWORD, django!.digest), false);
  });
});

describe('pbkdf2_sha256_django', () => {
  itVerifies(pbkdf2Sha256Django, DJANGO_PBKDF2_SHA256);
  itRejectsWrongPassword(pbkdf2Sha256Django, DJANGO_PBKDF2_SHA256);
  itDoesNotParse(pbkdf2Sha256Django, PBKDF2_SHA256_MALFORMED);

  it('reads the salt only as Django does, as text, never base64-decoded', async () => {
    assert.equal(await pbkdf2Sha256Django.verify(PASSWORD, CLERK_PBKDF2_SHA256[0]!.digest), false);
  });
});

const PBKDF2_SHA512: Vector[] = [
  {
    source: 'Clerk shape, text salt, hex hash (OpenSSL: keylen 64, salt:Xq9tQ2rLm8, iter 10000)',
    digest:
      'pbkdf2_sha512$10000$Xq9tQ2rLm8$050ba29e221763bcbae1769d78281ddf7c2575be1c95c61327ff1364c93a5aea7d62f94bba13b777063e97409f0784d009f0e7bdaf852188d33d1f35826b6c3f',
  },
  {
    source: 'Clerk shape, hex-looking salt hashed as text (OpenSSL: keylen 64, salt:4c1f0e9d8b7a69584736251403f2e1d0)',
    digest:
      'pbkdf2_sha512$10000$4c1f0e9d8b7a69584736251403f2e1d0$42f7860e96fe86be8c60a3746c9e969344391b25ea9cd9272e341b7def738b1763d01409a0819076145cabb385b5560e591cad368eb7a7350b7c1a9da7646dc6',
  },
  {
    source: "Django PBKDF2PasswordHasher subclass (algorithm='pbkdf2_sha512', digest=sha512, iterations=10000)",
    digest:
      'pbkdf2_sha512$10000$y13eure9hjGdNDvrHgXJwT$t9gSYx837EdqWVPJQfZbew/iCYnmMziCkbQ0UTxESXF0sj6qDI79tMqJm75mbMxSOFqJl+4Du2zPNWkmmeiOaw==',
  },
  {
    // passlib writes `$pbkdf2-sha512$1000$rRXC…$.QbR…`; renamed to Clerk's prefix.
    source: 'passlib pbkdf2_sha512.using(rounds=1000).hash(pw), renamed from $pbkdf2-sha512$ (adapted base64)',
    digest:
      'pbkdf2_sha512$1000$rRXCuBcipDRG6N07xzintA$.QbRX35fO5Ah1T21cUdUBuFtJ1F8o/oUkj2FZgcNjoEj8.Xjpiy2WAiT48shgD.hYhHPKeZY0q5YFacoNcGhiA',
  },
];

describe('pbkdf2_sha512', () => {
  itVerifies(pbkdf2Sha512, PBKDF2_SHA512);
  itRejectsWrongPassword(pbkdf2Sha512, PBKDF2_SHA512);
  itDoesNotParse(pbkdf2Sha512, {
    'nothing in it': '',
    'the pbkdf2_sha512_hex prefix': `pbkdf2_sha512_hex$10000$Xq9tQ2rLm8$${'ab'.repeat(64)}`,
    'its hash cut off': 'pbkdf2_sha512$10000$Xq9tQ2rLm8$',
    'a hex hash that lost a character': PBKDF2_SHA512[0]!.digest.slice(0, -1),
    'a hash longer than 128 bytes': `pbkdf2_sha512$10000$Xq9tQ2rLm8$${'ab'.repeat(129)}`,
    'non-numeric iterations': `pbkdf2_sha512$10k$Xq9tQ2rLm8$${'ab'.repeat(64)}`,
    'iterations with a leading zero': `pbkdf2_sha512$010000$Xq9tQ2rLm8$${'ab'.repeat(64)}`,
    'absurd iterations': `pbkdf2_sha512$4294967296$Xq9tQ2rLm8$${'ab'.repeat(64)}`,
  });
});

const PBKDF2_SHA512_HEX: Vector[] = [
  {
    // printf 's3cr3t-pass\ns3cr3t-pass\n' | grub-mkpasswd-pbkdf2 -c 1000 printed
    // grub.pbkdf2.sha512.1000.<SALT>.<HASH>; the same fields in Clerk's shape.
    source: 'GRUB grub-mkpasswd-pbkdf2 -c 1000, fields moved into Clerk’s shape (upper-case hex)',
    digest:
      'pbkdf2_sha512_hex$1000$3B624AFF35938FCF7BE3D9E41AB471E91627FAE3D9ED96D83B24E36F4A9D5638CC20DDE630EF9B5282B4CBBF09D0DB5D85F8EAC86D25D0C4F017715613F4023B$50CBAB5BA54D903A0AA518E60FA3F1C3E9528955393B38CF955816DE6C602CA800749566237D82B23700144A429B787CACE96D3A4A6A057172267B9819EF329A',
  },
  {
    source: 'passlib grub_pbkdf2_sha512.using(rounds=1000).hash(pw), fields moved into Clerk’s shape',
    digest:
      'pbkdf2_sha512_hex$1000$95F29E73EEBDB7768E312624C4F81F630CC1586B6DCDD9BBD71A03E0FCFF7FAF754E89F19EF35ECB794F298510424849E93D4748694D89514A89B156AA754E49$3C63B83AA409BC6B532A663F155664A4C9BE37E4646EB632357473B3CF8762FB77934ECA445E3AFB7D1D0933C081097BD2A3006B5451F171F71C70BDC605B08D',
  },
  {
    source: 'Clerk shape (OpenSSL: keylen 64, hexsalt:9e2f4c1a7b3d5e6f8091a2b3c4d5e6f7, iter 10000)',
    digest:
      'pbkdf2_sha512_hex$10000$9e2f4c1a7b3d5e6f8091a2b3c4d5e6f7$6185506e3c5b09b009d3c5716b2b0f684d64d40b12f133aa7e3e8b5fbcce3a85204c385d002fedb827a92dd763f3ff4587bf2cacc1d8f839050c9faf2f688e31',
  },
];

describe('pbkdf2_sha512_hex', () => {
  itVerifies(pbkdf2Sha512Hex, PBKDF2_SHA512_HEX);
  itRejectsWrongPassword(pbkdf2Sha512Hex, PBKDF2_SHA512_HEX);
  itDoesNotParse(pbkdf2Sha512Hex, {
    'nothing in it': '',
    'the pbkdf2_sha512 prefix': PBKDF2_SHA512[0]!.digest,
    "GRUB's own grub.pbkdf2.sha512 shape": `grub.pbkdf2.sha512.1000.${'AB'.repeat(64)}.${'CD'.repeat(64)}`,
    'a salt that is not hex': `pbkdf2_sha512_hex$10000$Xq9tQ2rLm8$${'ab'.repeat(64)}`,
    'a hash that is not hex': `pbkdf2_sha512_hex$10000$9e2f4c1a$${'zz'.repeat(64)}`,
    'an odd-length hex hash': `pbkdf2_sha512_hex$10000$9e2f4c1a$${'ab'.repeat(64)}a`,
    'its hash cut off': 'pbkdf2_sha512_hex$10000$9e2f4c1a7b3d5e6f8091a2b3c4d5e6f7',
    'non-numeric iterations': `pbkdf2_sha512_hex$ten$9e2f4c1a$${'ab'.repeat(64)}`,
    'absurd iterations': `pbkdf2_sha512_hex$100000000$9e2f4c1a$${'ab'.repeat(64)}`,
  });
});

// ---------------------------------------------------------------------------------------
// Through the dispatch table
// ---------------------------------------------------------------------------------------

const ONE_VECTOR_EACH: [PasswordHasher, Vector][] = [
  ['argon2i', ARGON2I[0]!],
  ['argon2id', ARGON2ID[0]!],
  ['bcrypt', BCRYPT[0]!],
  ['bcrypt_peppered', PEPPERED[0]!],
  ['bcrypt_sha256_django', DJANGO_BCRYPT_SHA256[1]!],
  ['pbkdf2_sha1', PBKDF2_SHA1[0]!],
  ['pbkdf2_sha256', CLERK_PBKDF2_SHA256[0]!],
  ['pbkdf2_sha256_django', DJANGO_PBKDF2_SHA256[2]!],
  ['pbkdf2_sha512', PBKDF2_SHA512[0]!],
  ['pbkdf2_sha512_hex', PBKDF2_SHA512_HEX[2]!],
];

describe('the password_hasher dispatch table', () => {
  for (const [name, { digest, password = PASSWORD }] of ONE_VECTOR_EACH) {
    it(`routes ${name} to a hasher that parses and verifies its digest`, async () => {
      assert.equal(digestParses(name, digest), true);
      assert.equal(await verifyDigest(name, digest, password), true);
      assert.equal(await verifyDigest(name, digest, WRONG_PASSWORD), false);
    });
  }

  it('does not parse one family’s digest under another family’s name', () => {
    for (const [name] of ONE_VECTOR_EACH) {
      for (const [other, { digest }] of ONE_VECTOR_EACH) {
        // Django's pbkdf2_sha256 export carries the same prefix under both names.
        const samePrefix = name.startsWith('pbkdf2_sha256') && other.startsWith('pbkdf2_sha256');
        if (other !== name && !samePrefix) assert.equal(digestParses(name, digest), false, `${other} digest under ${name}`);
      }
    }
  });
});

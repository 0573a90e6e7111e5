import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { awsCognito } from '../../src/passwords/digests/awscognito.js';
import { ldapSsha } from '../../src/passwords/digests/ldap.js';
import { md5, md5Salted } from '../../src/passwords/digests/md5.js';
import { md5Phpass, phpass } from '../../src/passwords/digests/phpass.js';
import { scryptFirebase, scryptWerkzeug } from '../../src/passwords/digests/scrypt.js';
import { hmacSha256Utf16B64, sha256, sha256Salted, sha512Symfony } from '../../src/passwords/digests/sha.js';
import type { DigestHasher } from '../../src/passwords/digests/types.js';
import { digestParses, verifyDigest } from '../../src/passwords/imported.js';

/**
 * Every vector below was produced by the system that makes that format, not by clerkd, and
 * is pasted as a literal so the test needs none of those tools. Each comment names the
 * command and version (Debian 12 "bookworm" packages unless said otherwise). The shell ran
 * in a UTF-8 locale, so 'pässwörd' was hashed as its UTF-8 bytes.
 */

const UNICODE = 'pässwörd';

/** A vector verifies, and the same digest refuses a near-miss password. */
async function assertVector(hasher: DigestHasher, digest: string, password: string): Promise<void> {
  assert.equal(hasher.parses(digest), true, `parses ${digest}`);
  assert.equal(await hasher.verify(password, digest), true, `verifies ${digest}`);
  assert.equal(await hasher.verify(`${password}x`, digest), false, `refuses a wrong password for ${digest}`);
}

function assertMalformed(hasher: DigestHasher, digests: string[]): void {
  for (const digest of digests) assert.equal(hasher.parses(digest), false, `does not parse ${JSON.stringify(digest)}`);
}

describe('md5', () => {
  // printf '%s' password | md5sum ; printf '%s' 'pässwörd' | md5sum   (GNU coreutils 9.1)
  test('verifies digests made by coreutils md5sum and refuses wrong passwords', async () => {
    await assertVector(md5, '5f4dcc3b5aa765d61d8327deb882cf99', 'password');
    await assertVector(md5, '12841e4ba5e37d2fbfc78458c6714ade', UNICODE);
  });

  test('accepts the hex in upper case, as SQL exports often write it', async () => {
    await assertVector(md5, '5F4DCC3B5AA765D61D8327DEB882CF99', 'password');
  });

  test('does not parse anything but 32 hex digits', () => {
    assertMalformed(md5, ['', '5f4dcc3b5aa765d61d8327deb882cf9', '5f4dcc3b5aa765d61d8327deb882cf99a', '5f4dcc3b5aa765d61d8327deb882cf9g', ' 5f4dcc3b5aa765d61d8327deb882cf99', 'salt$5f4dcc3b5aa765d61d8327deb882cf99']);
  });
});

describe('md5_salted', () => {
  // printf '%s' 's4lt!xpassword' | md5sum   → salt before the password (osCommerce, Magento 1)
  // printf '%s' 'passwords4lt!x' | md5sum   → salt after the password (Joomla 1.x)
  // printf '%s' 'a$bpassword' | md5sum      (GNU coreutils 9.1)
  test('verifies salt$hash with the salt on either side of the password', async () => {
    await assertVector(md5Salted, 's4lt!x$3f2b992123a53bff062a1fcf63cebb40', 'password');
    await assertVector(md5Salted, 's4lt!x$9ed278b7f7c871a67273a159b2129efa', 'password');
  });

  test('takes the salt up to the last $, so a salt may contain $', async () => {
    await assertVector(md5Salted, 'a$b$ea720900e298120a43547f5790f7fd87', 'password');
  });

  test('does not parse a digest without a salt or with a bad hash', () => {
    assertMalformed(md5Salted, ['', '5f4dcc3b5aa765d61d8327deb882cf99', '$5f4dcc3b5aa765d61d8327deb882cf99', 'salt$5f4dcc3b5aa765d61d8327deb882cf9', 'salt$5f4dcc3b5aa765d61d8327deb882cf99$', 'salt$zf4dcc3b5aa765d61d8327deb882cf99']);
  });
});

describe('sha256', () => {
  // printf '%s' password | sha256sum ; printf '%s' 'pässwörd' | sha256sum   (GNU coreutils 9.1)
  test('verifies digests made by coreutils sha256sum and refuses wrong passwords', async () => {
    await assertVector(sha256, '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8', 'password');
    await assertVector(sha256, '46970bef70aced8123f0d5d094717e2a5cd412041e03b26376049fe65b2834a4', UNICODE);
  });

  test('does not parse anything but 64 hex digits', () => {
    assertMalformed(sha256, ['', '5f4dcc3b5aa765d61d8327deb882cf99', '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d', '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ']);
  });
});

describe('sha256_salted', () => {
  // printf '%s' 's4lt!xpassword' | sha256sum ; printf '%s' 'passwords4lt!x' | sha256sum
  // printf '%s' 'a$bpassword' | sha256sum   (GNU coreutils 9.1)
  test('verifies salt$hash with the salt on either side of the password', async () => {
    await assertVector(sha256Salted, 's4lt!x$f47ed538f2be7612bee2903ff9769e577be52f072858298129beb6d20e387176', 'password');
    await assertVector(sha256Salted, 's4lt!x$0b669342058d08ea8bf6260f25219ecefad7e73226e66d8517b6f04217624db9', 'password');
    await assertVector(sha256Salted, 'a$b$bcfd3f0aebc6cdcbdf31f6e0dec17f66a1ff1369ed9bf817733a39a90e1c0374', 'password');
  });

  test('does not parse a digest without a salt or with an md5-length hash', () => {
    assertMalformed(sha256Salted, ['5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8', '$5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8', 's4lt!x$3f2b992123a53bff062a1fcf63cebb40']);
  });
});

describe('sha512_symfony', () => {
  // php-symfony-password-hasher 5.4.53 on PHP 8.2.36:
  //   (new MessageDigestPasswordHasher('sha512', true, 5000))->hash('password', '7a1c3f9e0b2d'), and with 'pässwörd',
  //   with salt 'a$b', with salt '' and with salt '0'; (new MessageDigestPasswordHasher('sha512', true, 1))->hash('password', 'abc')
  test('verifies digests made by Symfony MessageDigestPasswordHasher', async () => {
    await assertVector(sha512Symfony, 'sha512_symfony$5000$7a1c3f9e0b2d$lRAusiEIhU6hRJ6+UWXB1b8Xi81d+DCn6HbjLnakhsPkm9bsEOkDWKXM/OqToJ51Nn7rV5t5VsI+soiwK3vh/A==', 'password');
    await assertVector(sha512Symfony, 'sha512_symfony$5000$7a1c3f9e0b2d$WcYv9BIZnJbp8n2ro3KR/MutiPnn1N1zWJ/gUEr8RNKbG804jIMK8RzhFrhZOACKGzCmu38oisAGf05WfLlrUQ==', UNICODE);
    await assertVector(sha512Symfony, 'sha512_symfony$1$abc$hWnTbO/oBVEOxGGUOVwj6FPEhiDcn7ZHcn13PLhc4nzeNqF+1Ffwgc2+ornJwzNlxbRR7lqKgPxaY3bRCxOn3Q==', 'password');
    await assertVector(sha512Symfony, 'sha512_symfony$5000$a$b$wEF4M34oFUfBbIdWqfJPKtpmdxovcgeFe/lMmWhkaCCSoR5LvCckrJ/IwogpLJcIxrS4/ha4jMak61/5lujphg==', 'password');
  });

  test('treats the salts "" and "0" as no salt, as Symfony (PHP) does', async () => {
    const unsalted = 'BFEQkknI/c+Nd7BaG7AaiyTfUFby/pkMHy3UsYqKqDcmvHoPRX/ame9TnVuOV2GrBH0JK9g4koW+CgTYI9mK+w==';
    await assertVector(sha512Symfony, `sha512_symfony$5000$$${unsalted}`, 'password');
    await assertVector(sha512Symfony, `sha512_symfony$5000$0$${unsalted}`, 'password');
  });

  test('refuses the right hash under the wrong iteration count or salt', async () => {
    const hash = 'lRAusiEIhU6hRJ6+UWXB1b8Xi81d+DCn6HbjLnakhsPkm9bsEOkDWKXM/OqToJ51Nn7rV5t5VsI+soiwK3vh/A==';
    assert.equal(await sha512Symfony.verify('password', `sha512_symfony$4999$7a1c3f9e0b2d$${hash}`), false);
    assert.equal(await sha512Symfony.verify('password', `sha512_symfony$5000$7a1c3f9e0b2e$${hash}`), false);
  });

  test('does not parse bad iterations, braces in the salt, or a hash that is not 64 bytes of base64', () => {
    const hash = 'lRAusiEIhU6hRJ6+UWXB1b8Xi81d+DCn6HbjLnakhsPkm9bsEOkDWKXM/OqToJ51Nn7rV5t5VsI+soiwK3vh/A==';
    assertMalformed(sha512Symfony, [
      `sha512_symfony$0$salt$${hash}`,
      `sha512_symfony$-1$salt$${hash}`,
      `sha512_symfony$05000$salt$${hash}`,
      `sha512_symfony$1000001$salt$${hash}`,
      `sha512_symfony$5000$sa{lt$${hash}`,
      `sha512_symfony$5000$salt$${hash.slice(0, -2)}`,
      `sha512_symfony$5000$salt$${hash.replace('+', '-')}`,
      'sha512_symfony$5000$salt$aGVsbG8=',
      `sha512_symfony$5000$${hash}`,
      `sha256_symfony$5000$salt$${hash}`,
    ]);
  });
});

describe('hmac_sha256_utf16_b64', () => {
  // ASP.NET SqlMembershipProvider.EncodePassword, hashed branch, hashAlgorithmType="HMACSHA256",
  // copied from Microsoft's reference source into a C# file, built with mono-mcs 6.8.0.105 and run on
  // mono-runtime 6.8.0.105 (HMACSHA256 default key 64 bytes, as on .NET). Salt 16 bytes (repeated
  // into the key) and 69 bytes (truncated). Output: base64 PasswordSalt | password | base64 Password.
  const SHORT_SALT = '8pR3qS1nVbJw2K6hZ0xYtA==';
  const LONG_SALT = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNE';

  test('verifies salt$hash digests made by the ASP.NET membership algorithm on Mono', async () => {
    await assertVector(hmacSha256Utf16B64, `${SHORT_SALT}$teuoId3SHq3rNzpCjjLMugdHGrmmSjHm7GZt79f0IMU=`, 'password');
    await assertVector(hmacSha256Utf16B64, `${SHORT_SALT}$BW3/jY+pTVfPbbvoH4s8YpLi1/TtOBDi1NOrTAKFZyc=`, UNICODE);
    await assertVector(hmacSha256Utf16B64, `${LONG_SALT}$/yT9O751KCN4wC9Iwl8VElrw5bYKapqAeHYd4FyHfU4=`, 'password');
    await assertVector(hmacSha256Utf16B64, `${LONG_SALT}$1KkA9m0koQWtvHTGuV5OzZ962XuSCbbTMvoE6MSzfbg=`, UNICODE);
  });

  test('also reads hash$salt, since the 32-byte side is the hash', async () => {
    await assertVector(hmacSha256Utf16B64, `teuoId3SHq3rNzpCjjLMugdHGrmmSjHm7GZt79f0IMU=$${SHORT_SALT}`, 'password');
  });

  test('does not parse without two base64 parts, one of them 32 bytes', () => {
    assertMalformed(hmacSha256Utf16B64, [
      'teuoId3SHq3rNzpCjjLMugdHGrmmSjHm7GZt79f0IMU=',
      `${SHORT_SALT}$`,
      `${SHORT_SALT}$${SHORT_SALT}`,
      `${SHORT_SALT}$teuoId3SHq3rNzpCjjLMugdHGrmmSjHm7GZt79f0IMU`,
      `${SHORT_SALT}$teuoId3SHq3rNzpCjjLMugdHGrmmSjHm7GZt79f0IMU=$x`,
      `${SHORT_SALT}$teuoId3SHq3rNzpCjjLMugdHGrmmSjHm7GZt79f0IM_=`,
    ]);
  });
});

describe('phpass', () => {
  // WordPress 6.1.9 (Debian package wordpress 6.1.9+dfsg1-0+deb12u1), wp-includes/class-phpass.php on PHP 8.2.36:
  //   (new PasswordHash(8, true))->HashPassword('password') and ('pässwörd'), exactly what wp_hash_password() does;
  //   (new PasswordHash(10, true))->HashPassword('password').
  // passlib 1.7.4 (python3-passlib): passlib.hash.phpass.using(ident='H', rounds=11).hash('password'), phpBB3's $H$ form.
  test('verifies WordPress $P$ hashes and refuses wrong passwords', async () => {
    await assertVector(phpass, '$P$BP6IF9YnswpUoUH6KGJW3X8oaJJvo/0', 'password');
    await assertVector(phpass, '$P$B6jv4RNuEO2gbOv.mN89n9cq0bsPHe/', UNICODE);
    await assertVector(phpass, '$P$De.c0yxXHx8OxIH1eXDe3BPWkyxMjP.', 'password');
  });

  test('verifies phpBB-style $H$ hashes', async () => {
    await assertVector(phpass, '$H$9.Q1UxFhjqP7z9EPAWs5h4g/owIgox0', 'password');
  });

  test('does not parse other prefixes, lengths, or round counts outside 2^7…2^20', () => {
    assertMalformed(phpass, [
      '',
      '$S$BP6IF9YnswpUoUH6KGJW3X8oaJJvo/0',
      '$P$BP6IF9YnswpUoUH6KGJW3X8oaJJvo/',
      '$P$BP6IF9YnswpUoUH6KGJW3X8oaJJvo/00',
      '$P$BP6IF9YnswpUoUH6KGJW3X8oaJJvo$0',
      '$P$4P6IF9YnswpUoUH6KGJW3X8oaJJvo/0', // 2^6 rounds
      '$P$JP6IF9YnswpUoUH6KGJW3X8oaJJvo/0', // 2^21 rounds
      '$P$zP6IF9YnswpUoUH6KGJW3X8oaJJvo/0', // 2^63 rounds
      '$2y$10$BP6IF9YnswpUoUH6KGJW3X8oaJJvo/0',
    ]);
  });
});

describe('md5_phpass', () => {
  // WordPress 6.1.9 class-phpass.php on PHP 8.2.36: (new PasswordHash(8, true))->HashPassword(md5('password')),
  // a legacy MD5 digest wrapped in phpass.
  const WRAPPED = '$P$BneycLpH/Q0rGxqpjRy/Yv22cUvFcC/';

  test('verifies phpass(md5(password)) against the plain password', async () => {
    await assertVector(md5Phpass, WRAPPED, 'password');
  });

  test('does not accept the old md5 digest itself as the password', async () => {
    assert.equal(await md5Phpass.verify('5f4dcc3b5aa765d61d8327deb882cf99', WRAPPED), false);
  });

  test('does not verify a plain phpass hash of the password', async () => {
    assert.equal(await md5Phpass.verify('password', '$P$BP6IF9YnswpUoUH6KGJW3X8oaJJvo/0'), false);
  });

  test('does not parse what phpass does not parse', () => {
    assertMalformed(md5Phpass, ['5f4dcc3b5aa765d61d8327deb882cf99', '$P$BneycLpH/Q0rGxqpjRy/Yv22cUvFcC', 'U$P$BneycLpH/Q0rGxqpjRy/Yv22cUvFcC/']);
  });
});

describe('ldap_ssha', () => {
  // slappasswd -h '{SSHA}' -s password ; slappasswd -h '{SSHA}' -s 'pässwörd'   (slapd 2.5.13+dfsg-5, 4-byte salts)
  // passlib 1.7.4: passlib.hash.ldap_salted_sha1.using(salt_size=16).hash('password')
  test('verifies slappasswd and passlib {SSHA} values and refuses wrong passwords', async () => {
    await assertVector(ldapSsha, '{SSHA}Gp6BHunVP9CFDyp4hIMwBKGtFFqckdA2', 'password');
    await assertVector(ldapSsha, '{SSHA}S2ZekkUbF6EZgw9GTe9+RLUHl/VjTNTW', 'password');
    await assertVector(ldapSsha, '{SSHA}ZE4V5ggByVUzRGSGgof8k0bGKY/nTGqP', UNICODE);
    await assertVector(ldapSsha, '{SSHA}Wu/VUWZWYF1SQUmpqXZqi78mzbJu7d0bw3iPUUrJeS+llJKy', 'password');
  });

  test('matches the scheme name case-insensitively, as OpenLDAP does', async () => {
    await assertVector(ldapSsha, '{ssha}Gp6BHunVP9CFDyp4hIMwBKGtFFqckdA2', 'password');
  });

  test('does not parse unsalted {SHA}, a missing prefix, or base64 too short to hold a salt', () => {
    assertMalformed(ldapSsha, [
      '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', // slappasswd -h '{SHA}' -s password
      'Gp6BHunVP9CFDyp4hIMwBKGtFFqckdA2',
      '{SSHA}',
      '{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=',
      '{SSHA}Gp6BHunVP9CFDyp4hIMwBKGtFFqckdA',
      '{SSHA}Gp6BHunVP9CFDyp4hIMwBKGtFFqckdA2 ',
      '{SSHA}Gp6BHunVP9CFDyp4hIMwBKGt_FqckdA2',
    ]);
  });
});

describe('scrypt_firebase', () => {
  // The published example in github.com/firebase/scrypt README.md ("Password Hashing"): signer key
  // jxspr8Ki…9WmXA==, salt separator Bw==, rounds 8, mem_cost 14, salt 42xEC+ixf3L2lw==, password
  // user1password, expected hash lSrfV15c…uid5lQ==, laid out in Clerk's create-user order.
  const SIGNER_KEY = 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==';
  const HASH = 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==';
  const DIGEST = `${HASH}$42xEC+ixf3L2lw==$${SIGNER_KEY}$Bw==$8$14`;

  test('verifies the firebase/scrypt README example and refuses a wrong password', async () => {
    await assertVector(scryptFirebase, DIGEST, 'user1password');
  });

  test('refuses the right password under another salt separator', async () => {
    assert.equal(await scryptFirebase.verify('user1password', `${HASH}$42xEC+ixf3L2lw==$${SIGNER_KEY}$CA==$8$14`), false);
  });

  test('does not parse missing parts, bad base64, or costs outside Firebase’s ranges', () => {
    assertMalformed(scryptFirebase, [
      `${HASH}$42xEC+ixf3L2lw==$${SIGNER_KEY}$Bw==$8`,
      `${HASH}$42xEC+ixf3L2lw==$${SIGNER_KEY}$Bw==$8$14$1`,
      `${HASH}$$${SIGNER_KEY}$Bw==$8$14`,
      `${HASH}$42xEC+ixf3L2lw=$${SIGNER_KEY}$Bw==$8$14`,
      `${HASH}$42xEC+ixf3L2lw==$${SIGNER_KEY}$Bw==$9$14`,
      `${HASH}$42xEC+ixf3L2lw==$${SIGNER_KEY}$Bw==$0$14`,
      `${HASH}$42xEC+ixf3L2lw==$${SIGNER_KEY}$Bw==$8$15`,
      `${HASH}$42xEC+ixf3L2lw==$${SIGNER_KEY}$Bw==$8$30`,
      `${HASH}$42xEC+ixf3L2lw==$${SIGNER_KEY}$Bw==$8$x`,
      `lSrfV15c$42xEC+ixf3L2lw==$${SIGNER_KEY}$Bw==$8$14`,
    ]);
  });
});

describe('scrypt_werkzeug', () => {
  // Werkzeug 3.1.8 (the Python 3.11.7 install on this machine; Debian's python3-werkzeug 2.2.2 predates scrypt):
  //   werkzeug.security.generate_password_hash('password', method='scrypt')
  //   werkzeug.security.generate_password_hash('pässwörd', method='scrypt:16384:8:1')
  // check_password_hash also accepts the first with the bare method 'scrypt' (defaults 32768:8:1).
  const SALT = 'ugl7xXeOpRNxfYmq';
  const HEX = 'c5d55ff0072dd0476fbf7732b65fc39b7804d94d0913b78fdf01aa3be23a3b716cce9cf4610f2a332f4ecad1985f65bdc6826b40c8af729a5bd0ac90a6a35d86';
  const NATIVE = `scrypt:32768:8:1$${SALT}$${HEX}`;

  test('verifies Werkzeug generate_password_hash output and refuses wrong passwords', async () => {
    await assertVector(scryptWerkzeug, NATIVE, 'password');
    await assertVector(scryptWerkzeug, 'scrypt:16384:8:1$26NQ2mydL4ThMdjh$8b7e5e2ebdecf9aadf8b28da492c81bd6fad8d35b4349278f26a64c80ae10987e7cd82eb4ea32d260ba724315cc98ebe79298a36060f6d0d77e758583c571c96', UNICODE);
  });

  test('reads the bare method "scrypt" with Werkzeug’s defaults', async () => {
    assert.equal(await scryptWerkzeug.verify('password', `scrypt$${SALT}$${HEX}`), true);
  });

  test("accepts Clerk's documented $<args>$<salt>$<base64 hash> form of the same digest", async () => {
    // The Werkzeug hash above re-encoded: python3 -c "import base64; print(base64.b64encode(bytes.fromhex(HEX)).decode())"
    const base64 = 'xdVf8Act0Edvv3cytl/Dm3gE2U0JE7eP3wGqO+I6O3Fszpz0YQ8qMy9OytGYX2W9xoJrQMivcppb0KyQpqNdhg==';
    assert.equal(await scryptWerkzeug.verify('password', `$scrypt:32768:8:1$${SALT}$${base64}`), true);
    assert.equal(await scryptWerkzeug.verify('password', `$scrypt:32768:8:1$${SALT}$${HEX}`), true);
  });

  test('does not parse costs that could exhaust memory or CPU, or malformed parts', () => {
    assertMalformed(scryptWerkzeug, [
      `scrypt:32768:8:1$${SALT}`,
      `scrypt:32768:8:1$$${HEX}`,
      `scrypt:32768:8$${SALT}$${HEX}`,
      `pbkdf2:sha256:600000$${SALT}$${HEX}`,
      `scrypt:30000:8:1$${SALT}$${HEX}`, // N not a power of two
      `scrypt:1:8:1$${SALT}$${HEX}`,
      `scrypt:2097152:8:1$${SALT}$${HEX}`, // N above 2^20
      `scrypt:1048576:8:1$${SALT}$${HEX}`, // 1 GiB of memory
      `scrypt:65536:1:1$${SALT}$${HEX}`, // N must be below 2^(16·r)
      `scrypt:32768:0:1$${SALT}$${HEX}`,
      `scrypt:32768:8:0$${SALT}$${HEX}`,
      `scrypt:32768:8:16$${SALT}$${HEX}`, // 16× the default work
      `scrypt:32768:8:1$${SALT}$${HEX.slice(0, 30)}`, // under 16 bytes
      `scrypt:32768:8:1$${SALT}$${HEX}${HEX}`, // over 64 bytes
      `scrypt:32768:8:1$${SALT}$${HEX.slice(1)}`,
    ]);
  });
});

describe('awscognito', () => {
  // The format in Clerk's create-user docs: awscognito#<userpoolid>#<clientid>#<identifier>.
  const DIGEST = 'awscognito#us-east-1_AbCdEfGhI#1example23456789#jane@example.com';

  test('parses a Cognito reference, with # allowed inside the identifier', () => {
    assert.equal(awsCognito.parses(DIGEST), true);
    assert.equal(awsCognito.parses('awscognito#eu-west-1_Pool#client#odd#name'), true);
  });

  test('refuses to verify, because only Cognito can', () => {
    assert.equal(awsCognito.verifiable, false);
    assert.throws(() => awsCognito.verify('password', DIGEST), { code: 'password_hasher_not_verifiable', status: 422 });
  });

  test('does not parse other shapes', () => {
    assertMalformed(awsCognito, ['', 'awscognito', 'awscognito#pool#client', 'awscognito#pool#client#', 'awscognito##client#user', 'AWSCOGNITO#pool#client#user', 'cognito#pool#client#user', 'awscognito#po ol#client#user']);
  });
});

describe('dispatch table', () => {
  const cases = [
    ['md5', '5f4dcc3b5aa765d61d8327deb882cf99', 'password'],
    ['md5_salted', 's4lt!x$3f2b992123a53bff062a1fcf63cebb40', 'password'],
    ['sha256', '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8', 'password'],
    ['sha256_salted', 's4lt!x$0b669342058d08ea8bf6260f25219ecefad7e73226e66d8517b6f04217624db9', 'password'],
    ['sha512_symfony', 'sha512_symfony$1$abc$hWnTbO/oBVEOxGGUOVwj6FPEhiDcn7ZHcn13PLhc4nzeNqF+1Ffwgc2+ornJwzNlxbRR7lqKgPxaY3bRCxOn3Q==', 'password'],
    ['hmac_sha256_utf16_b64', '8pR3qS1nVbJw2K6hZ0xYtA==$teuoId3SHq3rNzpCjjLMugdHGrmmSjHm7GZt79f0IMU=', 'password'],
    ['phpass', '$P$BP6IF9YnswpUoUH6KGJW3X8oaJJvo/0', 'password'],
    ['md5_phpass', '$P$BneycLpH/Q0rGxqpjRy/Yv22cUvFcC/', 'password'],
    ['ldap_ssha', '{SSHA}Gp6BHunVP9CFDyp4hIMwBKGtFFqckdA2', 'password'],
    ['scrypt_firebase', 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$42xEC+ixf3L2lw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$Bw==$8$14', 'user1password'],
    ['scrypt_werkzeug', 'scrypt:16384:8:1$26NQ2mydL4ThMdjh$8b7e5e2ebdecf9aadf8b28da492c81bd6fad8d35b4349278f26a64c80ae10987e7cd82eb4ea32d260ba724315cc98ebe79298a36060f6d0d77e758583c571c96', UNICODE],
  ] as const;

  for (const [hasher, digest, password] of cases) {
    test(`${hasher} parses and verifies through digestParses / verifyDigest`, async () => {
      assert.equal(digestParses(hasher, digest), true);
      assert.equal(await verifyDigest(hasher, digest, password), true);
      assert.equal(await verifyDigest(hasher, digest, 'not-the-password'), false);
    });
  }

  test('a digest in one format does not parse as another', () => {
    assert.equal(digestParses('sha256', '5f4dcc3b5aa765d61d8327deb882cf99'), false);
    assert.equal(digestParses('md5', '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8'), false);
    assert.equal(digestParses('ldap_ssha', '$P$BP6IF9YnswpUoUH6KGJW3X8oaJJvo/0'), false);
    assert.equal(digestParses('scrypt_firebase', 'scrypt:16384:8:1$26NQ2mydL4ThMdjh$8b7e5e2e'), false);
  });

  test('awscognito parses through the table and verifying rejects', async () => {
    const digest = 'awscognito#us-east-1_AbCdEfGhI#1example23456789#jane@example.com';
    assert.equal(digestParses('awscognito', digest), true);
    await assert.rejects(verifyDigest('awscognito', digest, 'password'), { code: 'password_hasher_not_verifiable' });
  });
});

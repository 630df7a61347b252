/**
 * Unit tests for the secret detector. Test tokens are assembled at run time from parts (and
 * random characters) so the repository never holds a string that secret scanners would flag.
 */
import { describe, expect, it } from 'vitest';
import { _internals, isPlaceholder } from './allowlist.js';
import { bech32ChecksumOk, githubTokenChecksumOk } from './checksums.js';
import { detectSecrets } from './detect.js';
import { secretNameKind } from './names.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Deterministic pseudo-random string over `alphabet`. */
function rand(length: number, alphabet = ALNUM, seed = 7): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    // High bits: an LCG's low bits cycle with a short period.
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}
const HEX = '0123456789abcdef';
const types = (text: string): string[] => detectSecrets(text).map((f) => f.type);
const spans = (text: string): string[] => detectSecrets(text).map((f) => text.slice(f.start, f.end));

describe('provider formats', () => {
  it('finds an AWS access key id and covers only the key', () => {
    const key = ['AK', 'IA'].join('') + rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 3);
    const text = `aws_access_key_id = ${key}\n`;
    expect(types(text)).toEqual(['aws-access-key-id']);
    expect(spans(text)).toEqual([key]);
  });

  // The secret is the half that signs requests: found where the console, the CLI and people
  // write it, not only after an assignment's name.
  it('finds an AWS secret access key named in words or written next to its key id', () => {
    const id = ['AK', 'IA'].join('') + rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 5);
    const secret = rand(40, ALNUM + '/+', 6);
    for (const text of [
      `Access key ID: ${id}\nSecret access key: ${secret}`,
      `AWS Secret Access Key: ${secret}`,
      `User name,Access key ID,Secret access key\nci-bot,${id},${secret}`,
      `| ${id} | ${secret} |`,
      `${id}:${secret}`,
      `key ${id} secret ${secret}`,
    ])
      expect(spans(text), text).toContain(secret);
    // a commit hash after the id is no secret (one case, no upper-case letter), nor one on a later line
    const sha = rand(40, HEX, 7);
    expect(spans(`${id} at commit ${sha}`)).toEqual([id]);
    expect(spans(`${id}\n\nnotes\n${secret}`)).toEqual([id]);
  });

  // Formats and places a probe set of realistic leaks (written by a helper that saw no rule) found missing.
  it('finds tokens in URLs, command-line flags, .netrc files and formats added on 2026-12-03', () => {
    const ghp = 'ghp_' + rand(36, ALNUM, 21);
    const cases: [string, string][] = [
      // a token as a URL's user, as GitHub documents cloning with one
      [`git clone https://${ghp}@github.com/acme/api.git`, ghp],
      // the Bot API's URLs
      [`curl https://api.telegram.org/bot6526394491:AA${rand(33, ALNUM, 22)}/getMe`, `6526394491:AA${rand(33, ALNUM, 22)}`],
      [`docker login -u ci -p dckr_pat_${rand(27, ALNUM, 23)}`, `dckr_pat_${rand(27, ALNUM, 23)}`],
      [`const dsn = "u1:pscale_pw_${rand(43, ALNUM, 24)}@tcp(aws.connect.psdb.cloud)/db"`, `pscale_pw_${rand(43, ALNUM, 24)}`],
      [
        `the key I'm using is NRAK-${rand(27, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 25)}.`,
        `NRAK-${rand(27, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 25)}`,
      ],
      [`netlify deploy --prod --auth nfp_${rand(40, ALNUM, 26)}`, `nfp_${rand(40, ALNUM, 26)}`],
      [`DOPPLER_TOKEN="dp.st.prd.${rand(43, ALNUM, 27)}"`, `dp.st.prd.${rand(43, ALNUM, 27)}`],
      [
        `mg := mailgun.NewMailgun("mg.acme.io", "${rand(32, HEX, 28)}-${rand(8, HEX, 29)}-${rand(8, HEX, 30)}")`,
        `${rand(32, HEX, 28)}-${rand(8, HEX, 29)}-${rand(8, HEX, 30)}`,
      ],
      [`vercel deploy --prod --token ${rand(24, ALNUM, 31)} --scope acme`, rand(24, ALNUM, 31)],
      [
        `'server_key' => 'AAAA${rand(7, ALNUM, 32)}:APA91b${rand(134, ALNUM + '_-', 33)}',`,
        `AAAA${rand(7, ALNUM, 32)}:APA91b${rand(134, ALNUM + '_-', 33)}`,
      ],
      [
        `machine api.heroku.com\n  login maya@acme.io\n  password 829f6b20-9580-46f5-a86f-4ed7541a490d`,
        '829f6b20-9580-46f5-a86f-4ed7541a490d',
      ],
    ];
    for (const [text, secret] of cases) expect(spans(text), text).toContain(secret);
    // ports, prompts for a password, references, placeholders and Stripe's documentation key stay quiet
    for (const text of [
      'docker run -p 8080:80 nginx',
      'mysql -u root -p shop',
      'mysql -u root -p -P 3306 shop',
      'mysql -u root -p$MYSQL_ROOT_PASSWORD',
      'mysql -uroot -ppassword',
      'vercel deploy --token $VERCEL_TOKEN',
      'app --password my-password',
      'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}',
      `stripe.api_key = "${['sk_test_', '4eC39HqLyjWDarjtT1zdp7dc'].join('')}"`,
    ])
      expect(spans(text), text).toEqual([]);
  });

  // What a sealed probe set of config and build files (written by a helper that saw no rule) found missing.
  it('finds credentials where config and build files keep them', () => {
    const pw = `${rand(6, ALNUM, 41)}!${rand(5, ALNUM, 42)}`;
    const hex = rand(128, HEX, 43);
    const mapbox = `sk.eyJ${rand(60, ALNUM, 44)}.${rand(22, ALNUM, 45)}`;
    const cases: [string, string][] = [
      [`$cred = ConvertTo-SecureString "${pw}" -AsPlainText -Force`, pw],
      [`$secpw = ConvertTo-SecureString -String '${pw}' -AsPlainText -Force`, pw],
      [`keytool -importcert -alias ca -file ca.pem -keystore truststore.jks \\\n  -storepass ${pw} -noprompt`, pw],
      [`bind 127.0.0.1\nrequirepass ${pw}\nmaxmemory 256mb`, pw],
      [`db.url=jdbc:oracle:thin:reporting/${pw}@//oradb01:1521/FIN`, pw],
      [`signingConfigs {\n    release {\n        storePassword "${pw}"\n    }\n}`, pw],
      [`production:\n  secret_key_base: ${hex}`, hex],
      [`SECRET_KEY = env(\n    "DJANGO_SECRET_KEY",\n    default="${pw}x${rand(30, ALNUM, 46)}",\n)`, `${pw}x${rand(30, ALNUM, 46)}`],
      [`define( 'AUTH_KEY',         '${pw}{!{${rand(40, ALNUM, 47)}' );`, `${pw}{!{${rand(40, ALNUM, 47)}`],
      [`<Pass encoding="base64">${Buffer.from(pw).toString('base64')}</Pass>`, Buffer.from(pw).toString('base64')],
      [`MAPBOX_DOWNLOADS_TOKEN=${mapbox}`, mapbox],
    ];
    for (const [text, secret] of cases) expect(spans(text), text).toContain(secret);
    // what such files hold in a password's place that is no password
    for (const text of [
      `encrypted_password: "$2a$12$${rand(53, ALNUM, 48)}"`,
      '<password>{COQLCE6DU6GtcS5P=}</password>',
      `kind: SealedSecret\nspec:\n  encryptedData:\n    POSTGRES_PASSWORD: Ag${rand(300, ALNUM, 49)}`,
      'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set in .env}',
      '[string] $Password = $env:KIOSK_PASSWORD',
      '$pw = ConvertTo-SecureString $Password -AsPlainText -Force',
      'storePassword System.getenv("STORE_PASSWORD")',
      'requirepass ${REDIS_PASSWORD}',
      'const AZURE_VARS = [\n    "AZURE_PASSWORD",\n    "AZURE_USERNAME",\n];',
    ])
      expect(spans(text), text).toEqual([]);
  });

  // What a sealed probe set of source code in eleven languages found missing.
  it('finds credentials passed as arguments, to setters and into URL templates', () => {
    const pw = `${rand(6, ALNUM, 51)}!${rand(6, ALNUM, 52)}42`;
    const key = rand(40, ALNUM + '+/', 53);
    const hex = rand(32, HEX, 54);
    const cases: [string, string][] = [
      [`Connection c = DriverManager.getConnection(url, "report_reader", "${pw}");`, pw],
      [`$pdo = new PDO($dsn, 'root', '${pw}', [\n    PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,\n]);`, pw],
      [`resp = requests.post(url, auth=("release-bot", "${pw}"), timeout=15)`, pw],
      [`.basic_auth("ci-pusher", Some("${pw}"))`, pw],
      [`creds := credentials.NewStaticCredentials(\n    os.Getenv("AWS_ACCESS_KEY_ID"),\n    "${key}",\n    "",\n)`, key],
      [`Twilio.init(accountSid, "${hex}");`, hex],
      [`DataSource ds = DataSourceBuilder.create()\n    .username("crm_service")\n    .password("${pw}")\n    .build();`, pw],
      [`url := fmt.Sprintf("redis://:%s@%s:6379/0", "${key}", host)`, key],
      [`DB_URL = "postgresql://etl:{}@warehouse:5432/dw".format("${key}")`, key],
      [`headers: { "Authorization" => "Bearer ${key}" }`, key],
    ];
    for (const [text, secret] of cases) expect(spans(text), text).toContain(secret);
    for (const text of [
      'let url = std::env::var("DATABASE_URL").expect("DATABASE_URL must be set");',
      'conn = DriverManager.getConnection(url, user, System.getenv("DB_PASSWORD"));',
      'requests.get(url, auth=("user", "password"))',
      "t.pass('ready emitted')",
      'client.setApiKey(process.env.SENDGRID_API_KEY)',
      'login("admin", "<password>")',
    ])
      expect(spans(text), text).toEqual([]);
  });

  it('finds a password glued to a MySQL client’s -p flag', () => {
    expect(spans('mysql -h db.internal -u admin -pK7v!q2Lr9xTw shop')).toEqual(['K7v!q2Lr9xTw']);
    expect(spans(`mysqldump -uroot -p'Zq8#rT4wpL2m' --all-databases > dump.sql`)).toEqual(['Zq8#rT4wpL2m']);
    expect(spans('mariadb -u app -p"n4Vx7Qw2Ez9r" -e "select 1"')).toEqual(['n4Vx7Qw2Ez9r']);
  });

  it('allowlists the documented AWS example key', () => {
    expect(detectSecrets(`key: ${['AK', 'IA', 'IOSFODNN7', 'EXAMPLE'].join('')}`)).toEqual([]);
  });

  it('verifies the GitHub CRC32 suffix', () => {
    const body = rand(30, ALNUM, 11);
    // A wrong checksum still reports (lower confidence): truncated or edited real tokens leak too.
    const bad = `gh${'p'}_${body}AAAAAA`;
    const [finding] = detectSecrets(`token ${bad}`);
    expect(finding?.type).toBe('github-pat');
    expect(finding?.confidence).toBeLessThan(0.99);
    expect(githubTokenChecksumOk(bad)).toBe(false);
  });

  it('finds a token at the end of a sentence (the period is not part of it)', () => {
    const gitlab = `gl${'pat'}-${rand(20, ALNUM, 12)}`;
    const stripe = `${['sk', 'live'].join('_')}_${rand(24, ALNUM, 4)}`;
    for (const token of [gitlab, stripe]) {
      expect(spans(`Your token is ${token}.`)).toEqual([token]);
      expect(spans(`Use ${token}. Then log in.`)).toEqual([token]);
    }
  });

  it('finds OpenAI, Anthropic, Stripe, Slack and Hugging Face tokens', () => {
    const openai = `sk-proj-${rand(40, ALNUM, 1)}${['T3Blbk', 'FJ'].join('')}${rand(40, ALNUM, 2)}`;
    const anthropic = `sk-ant-api03-${rand(93, ALNUM + '-_', 3)}AA`;
    const stripe = `${['sk', 'live'].join('_')}_${rand(24, ALNUM, 4)}`;
    const slack = `xox${'b'}-${rand(12, '0123456789', 5)}-${rand(13, '0123456789', 6)}-${rand(24, ALNUM, 7)}`;
    const hf = `h${'f'}_${rand(34, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 8)}`;
    expect(types(`OPENAI_API_KEY=${openai}`)).toEqual(['openai-api-key']);
    expect(types(`client = Anthropic(api_key="${anthropic}")`)).toEqual(['anthropic-api-key']);
    expect(types(`stripe.api_key = '${stripe}'`)).toEqual(['stripe-access-token']);
    expect(types(`SLACK_BOT_TOKEN: ${slack}`)).toEqual(['slack-bot-token']);
    expect(types(`huggingface-cli login --token ${hf}`)).toEqual(['huggingface-access-token']);
  });

  it('ends a token at a hyphen followed by lower-case words, not at one that continues the token', () => {
    const anthropic = `sk-ant-api03-${rand(93, ALNUM + '-_', 3)}AA`;
    const slack = `xox${'b'}-${rand(12, '0123456789', 5)}-${rand(13, '0123456789', 6)}-${rand(24, ALNUM, 7)}`;
    // (A token whose own length varies and which may hold hyphens, such as GitLab's, takes the word with it.)
    for (const token of [anthropic, slack]) {
      expect(spans(`key: ${token}-thanks!`)).toEqual([token]);
      expect(spans(`the ${token}-for-staging one`)).toEqual([token]);
    }
    // A hyphen with capitals or digits after it is more of the token: the fixed-length rule must not cut it short.
    expect(types(`key: ${anthropic}-Xy9`)).not.toContain('anthropic-api-key');
    // A hyphen before a run of non-token characters is not a word either (gitleaks' masked-token example).
    expect(types(`"token": "xox${'p'}-572370529330-573807301142-572331691188-####################"`)).toEqual([]);
  });

  it('finds a PEM private key block, including one without its footer', () => {
    const body = rand(64, ALNUM + '+/', 9);
    const header = ['-----BEGIN RSA ', 'PRIVATE KEY-----'].join('');
    const footer = ['-----END RSA ', 'PRIVATE KEY-----'].join('');
    const block = `${header}\n${body}\n${body}\n${footer}`;
    expect(spans(`here is my key:\n${block}\nthanks`)).toEqual([block]);
    expect(types(`${header}\n${body}\n${body}`)).toEqual(['private-key']);
    expect(detectSecrets(`${header}\nanything\n${footer}`)).toEqual([]);
  });

  it('finds a JWT but not a truncated one', () => {
    const part = (s: string): string => Buffer.from(s).toString('base64url');
    const jwt = `${part('{"alg":"HS256","typ":"JWT"}')}.${part('{"sub":"1234","name":"x"}')}.${rand(43, ALNUM + '-_', 10)}`;
    expect(types(`Authorization: Bearer ${jwt}`)).toEqual(['jwt']);
    expect(detectSecrets(jwt.slice(0, jwt.length - 30))).toEqual([]);
  });

  it('checks age keys with bech32', () => {
    expect(bech32ChecksumOk('a12uel5l')).toBe(true);
    expect(bech32ChecksumOk('a12uel5m')).toBe(false);
  });
});

describe('generic assignments', () => {
  const value = rand(32, ALNUM, 12);
  it.each([
    [`api_key = "${value}"`],
    [`export CLIENT_SECRET=${value}`],
    [`{"access_token": "${value}"}`],
    [`  db-password: ${value}`],
    [`var apiToken string = "${value}"`],
    [`string apiToken = "${value}";`],
    [`<add key="ClearTextPassword" value="${value}" />`],
    [`<password>${value}</password>`],
    [`System.setProperty("api_token", "${value}")`],
  ])('flags %s and reports the value', (text) => {
    expect(spans(text)).toEqual([value]);
  });

  it.each([
    ['password = <your password here>'],
    ['password: ${DB_PASSWORD}'],
    ['api_key = "{{ .Values.apiKey }}"'],
    ['API_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    ['secret = "changeme"'],
    ['token = "1234567890"'],
    ['apiKey: this.apiKey,'],
    ['my_password = foo(hey)you'],
    ['password = "fakesecret123"'],
    ['public_key = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"'],
    ['credentialsId: "ff083f76-7804-4ef1-80e4-fe975bb9141b"'],
    ['csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyO'],
    ['secret_length = X25519.secret_length'],
    ['GITHUB_API_KEY=\nDYNATRACE_API_KEY='],
  ])('ignores %s', (text) => {
    expect(detectSecrets(text)).toEqual([]);
  });
});

describe('a password given in a sentence', () => {
  const values = (text: string) => detectSecrets(text).map((f) => [f.type, text.slice(f.start, f.end)]);

  it('finds the password a person writes out, quoted or not, in several languages', () => {
    expect(values('my password is Tr0ub4dor&3 please remember')).toEqual([['generic-password', 'Tr0ub4dor&3']]);
    expect(values('The wifi password is "BlueSky-4821-Harbor".')).toEqual([['generic-password', 'BlueSky-4821-Harbor']]);
    expect(values('the password for the router is Xk9#mL2q.')).toEqual([['generic-password', 'Xk9#mL2q']]);
    expect(values('The db password for the `app_admin` role is Tr869!wayda#ONB — rotate it')).toEqual([
      ['generic-password', 'Tr869!wayda#ONB'],
    ]);
    expect(values('Password was changed to Qz7$wLp4 yesterday')).toEqual([['generic-password', 'Qz7$wLp4']]);
    expect(values('Mein Passwort ist Sommer2024!')).toEqual([['generic-password', 'Sommer2024!']]);
  });

  it('finds it in Chinese, Japanese, Korean and Russian, the value against the words or apart', () => {
    expect(values('我的密码是Tr0ub4dor&3，别告诉别人。')).toEqual([['generic-password', 'Tr0ub4dor&3']]);
    expect(values('密碼：BlueSky-4821-Harbor')).toEqual([['generic-password', 'BlueSky-4821-Harbor']]);
    expect(values('パスワードは Xk9#mL2q です')).toEqual([['generic-password', 'Xk9#mL2q']]);
    expect(values('パスワードは「Qz7$wLp4」です')).toEqual([['generic-password', 'Qz7$wLp4']]);
    expect(values('비밀번호는 Sommer2024! 입니다')).toEqual([['generic-password', 'Sommer2024!']]);
    expect(values('Мой пароль от wifi: Qz7$wLp4')).toEqual([['generic-password', 'Qz7$wLp4']]);
    // sentences about passwords: wrong, 8 digits long, forgotten, must have 8 characters, masked, a word
    for (const text of [
      '密码错误，请重试',
      '密码是8位数字',
      'パスワードは8文字以上',
      '비밀번호를 잊어버렸어요',
      'пароль должен содержать 8 символов',
      '密码: ********',
      'пароль: qwerty',
    ])
      expect(values(text), text).toEqual([]);
  });

  it('finds the password of a login given as a pair, and not names, times or URLs in that place', () => {
    expect(values('the staging login is admin / Kestrel75!x if you need it')).toEqual([['generic-password', 'Kestrel75!x']]);
    expect(values('creds: deploy:Wq8#mZ2v')).toEqual([['generic-password', 'Wq8#mZ2v']]);
    expect(values('username and password are ops, Hx7-pq3r.')).toEqual([['generic-password', 'Hx7-pq3r']]);
    for (const text of [
      'login is admin/settings',
      'login: admin, role:admin2',
      'login: 10:30am tomorrow',
      'creds are in vault/secret/prod-db2',
      'login: jdoe, last seen 2024-01-05',
      'The login is required: please sign in again.',
      'mongodb://username:password@localhost:1234/defaultauthdb',
      'new (address: string, credentials: ChannelCredentials, options?: Partial<ChannelOptions>): ServiceClient;',
    ])
      expect(values(text), text).toEqual([]);
  });

  it('does not read names as keys: words joined by _ - . / or run together in camel case', () => {
    for (const text of [
      'export type Token = { secret: ClientSecretCredential };',
      'const token = cachedAccessToken ?? (await refresh());',
      'credentials: client_id/client_secret',
      'const TOKEN_ENV = "AWS_CONTAINER_AUTHORIZATION_TOKEN"',
      "secret: 'it-is-very-secret'",
    ])
      expect(values(text), text).toEqual([]);
    expect(values("secret: 'p@ss!w#rd{x}'")).toHaveLength(1);
  });

  it('does not read sentences about passwords as giving one', () => {
    for (const text of [
      'The password is incorrect',
      'the password is case-sensitive',
      'password is 8-characters long',
      'The password is at least 12 characters',
      'Your password is 2FA-protected',
      'the password is stored in 1Password',
      'password is required.',
      'My password is the same as before.',
      'the password is sent to jane@acme.com',
      'the password is https://vault.example/x',
      'password is v2.1.3',
      'password is changeme',
      'the password for the admin account is incorrect.',
      'the password for the new staging cluster is 12-characters long',
    ])
      expect(values(text), text).toEqual([]);
  });
});

describe('near misses', () => {
  it('ignores a bare git SHA, UUID and base64 image data', () => {
    expect(detectSecrets(`commit ${rand(40, HEX, 13)}`)).toEqual([]);
    expect(detectSecrets('request id 0736f5ef-7e88-499a-80cc-90c85d2a5180 failed')).toEqual([]);
    expect(detectSecrets(`<img src="data:image/png;base64,${rand(400, ALNUM + '+/', 14)}=">`)).toEqual([]);
  });

  it('ignores prose about secrets', () => {
    const prose = 'Rotate the API key and the password every 90 days; store each token in the secret manager, never in code.';
    expect(detectSecrets(prose)).toEqual([]);
  });
});

describe('structural rules', () => {
  it('finds curl credentials but not placeholders', () => {
    expect(spans(`curl -u admin:${value()} https://api.example.com`)).toEqual([value()]);
    expect(detectSecrets('curl -u "$USER:$PASS" https://api.example.com')).toEqual([]);
    expect(detectSecrets('curl -u <user:password> https://test.com')).toEqual([]);
  });

  it('finds credentials in URLs', () => {
    const pass = rand(16, ALNUM, 15);
    expect(spans(`DATABASE_URL=postgres://app:${pass}@db.internal:5432/app`)).toEqual([pass]);
    expect(detectSecrets('postgres://user:password@localhost/db')).toEqual([]);
  });

  it('decodes Basic auth', () => {
    const basic = Buffer.from(`svc:${rand(12, ALNUM, 16)}`).toString('base64');
    expect(types(`-H "Authorization: Basic ${basic}"`)).toEqual(['authorization-header']);
    expect(detectSecrets('-H "Authorization: Bearer $API_KEY"')).toEqual([]);
  });

  it('finds Kubernetes Secret data values', () => {
    const data = Buffer.from(rand(12, ALNUM, 17)).toString('base64');
    const yaml = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${data}\n  empty: ""\n`;
    expect(spans(yaml)).toEqual([data]);
  });

  function value(): string {
    return rand(14, ALNUM, 18);
  }
});

describe('helpers', () => {
  it('classifies names', () => {
    expect(secretNameKind('client_secret')).toBe('key');
    expect(secretNameKind('X-API-Key')).toBe('key');
    expect(secretNameKind('DB_PASSWORD')).toBe('password');
    expect(secretNameKind('theapikey')).toBe('key');
    expect(secretNameKind('secret_name')).toBeUndefined();
    expect(secretNameKind('bucket_key')).toBeUndefined();
  });

  it('recognises placeholders', () => {
    expect(isPlaceholder('xxxxxxxx')).toBe(true);
    expect(isPlaceholder('****')).toBe(true);
    expect(isPlaceholder('<your-key>')).toBe(true);
    expect(isPlaceholder('abcdefghijklmnop1234', 'strict')).toBe(true);
    expect(isPlaceholder(rand(32, ALNUM, 19), 'strict')).toBe(false);
    expect(_internals.singleRepeated('QQQQQQQQQQQQ')).toBe(true);
  });

  it('finds the secret after thousands of keywords of padding, and a token inside a rejected URL value', () => {
    const afterPadding = `${'pass:'.repeat(20_000)}\npassword = "Xk9#mQ2$vLp7"`;
    expect(detectSecrets(afterPadding).map((f) => afterPadding.slice(f.start, f.end))).toEqual(['Xk9#mQ2$vLp7']);
    const url = 'auth_url=https://x.example/cb?client=web&token=9f8E7d6c5B4a39281706f5e4d3c2b1a0Qz';
    expect(detectSecrets(url).map((f) => url.slice(f.start, f.end))).toEqual(['9f8E7d6c5B4a39281706f5e4d3c2b1a0Qz']);
  });

  it('reports a keyword-packed run as a few long findings that never overlap', () => {
    const packed = 'pwd='.repeat(20_000);
    const found = detectSecrets(packed);
    // Each value runs up to 300 characters, and findings never overlap: about one per 300 characters.
    expect(found.length).toBeLessThanOrEqual(Math.ceil(packed.length / 290));
    for (let i = 1; i < found.length; i++) expect(found[i]!.start).toBeGreaterThanOrEqual(found[i - 1]!.end);
  });

  // How fast it is lives in bench/guardrails; here only that such input ends at all (a backtracking
  // blow-up would run past the test timeout) and what it yields.
  it('does not hang on adversarial input, and finds no secret in runs of one character or prefix', () => {
    for (const input of ['a'.repeat(20_000), 'key='.repeat(5_000), `eyJ${'A'.repeat(20_000)}`, '-----BEGIN '.repeat(2_000)])
      expect(detectSecrets(input)).toEqual([]);
    // "password: password: …": each repetition may read as an assignment, never more than one finding each.
    expect(detectSecrets('password: '.repeat(2_000)).length).toBeLessThanOrEqual(2_000);
  });
});

/** Payments and commerce: Stripe, Square, Facebook/Meta, PayPal/Braintree, Razorpay. */
import type { SecretRule } from '../rule.js';
import { END, START, keyed, prefixed } from './helpers.js';

export const PAYMENTS_RULES: readonly SecretRule[] = [
  {
    // Secret and restricted keys (the publishable pk_ keys are public by design).
    id: 'stripe-access-token',
    keywords: ['sk_live_', 'sk_test_', 'sk_prod_', 'rk_live_', 'rk_test_', 'rk_prod_'],
    pattern: prefixed('[rs]k_(?:live|test|prod)_', '[A-Za-z0-9]{10,247}', '(?![A-Za-z0-9_])'),
    confidence: 0.95,
    minEntropy: 3,
    priority: 2,
  },
  {
    id: 'stripe-webhook-secret',
    keywords: ['whsec_'],
    pattern: prefixed('whsec_', '[A-Za-z0-9+/]{32,64}={0,2}'),
    confidence: 0.95,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'square-access-token',
    keywords: ['sq0atp-', 'eaaa'],
    pattern: new RegExp(`${START}(?<secret>sq0atp-[A-Za-z0-9_-]{22}|EAAA[A-Za-z0-9_-]{60})${END}`, 'g'),
    confidence: 0.9,
    minEntropy: 3,
    priority: 2,
  },
  {
    id: 'square-secret',
    keywords: ['sq0csp-'],
    pattern: prefixed('sq0csp-', '[A-Za-z0-9_-]{43}'),
    confidence: 0.95,
    minEntropy: 3,
    priority: 2,
  },
  {
    // Graph API user/page tokens: EAA + long base62 (short "EAAA…" 64-char ones are Square).
    id: 'facebook-access-token',
    keywords: ['eaa'],
    pattern: /(?<![A-Za-z0-9_-])(?<secret>EAA[A-Za-z0-9]{90,400})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    confidence: 0.9,
    minEntropy: 4,
    priority: 2,
  },
  {
    // App access tokens: <app id>|<app secret or hash>.
    id: 'facebook-access-token',
    keywords: ['facebook'],
    pattern: keyed(['facebook'], '[0-9]{15,16}(?:\\||%7[Cc])[A-Za-z0-9_-]{27}'),
    confidence: 0.85,
    minEntropy: 3,
    priority: 1,
  },
  {
    id: 'facebook-secret',
    keywords: ['facebook'],
    pattern: keyed(['facebook'], '[a-f0-9]{32}'),
    confidence: 0.8,
    minEntropy: 3,
    priority: 1,
  },
  {
    id: 'braintree-access-token',
    keywords: ['access_token$'],
    pattern: /(?<secret>access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32})/g,
    confidence: 0.95,
    priority: 2,
  },
  {
    id: 'razorpay-key-secret',
    keywords: ['rzp_'],
    pattern: prefixed('rzp_(?:live|test)_', '[A-Za-z0-9]{14}'),
    confidence: 0.8,
    minEntropy: 3,
    priority: 2,
  },
];

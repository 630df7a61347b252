/** Query hooks for the signed-in user's own security data. Only lists and flags are cached, never a code or secret. */
import { useQuery } from '@tanstack/react-query';
import { request } from './client.ts';
import {
  passkeyListSchema,
  recoveryCodeCountSchema,
  sessionListSchema,
  signInAccountsSchema,
  twoFactorFlagSchema,
} from './account-schemas.ts';

export const accountQueryKeys = {
  passkeys: ['me', 'passkeys'] as const,
  sessions: ['me', 'sessions'] as const,
  recoveryCodes: ['me', 'recovery-codes'] as const,
  signInMethods: ['me', 'sign-in-methods'] as const,
};

export const useMyPasskeys = () =>
  useQuery({
    queryKey: accountQueryKeys.passkeys,
    queryFn: ({ signal }) => request('GET', '/api/me/passkeys', passkeyListSchema, { signal }).then((r) => r.passkeys),
  });

export const useMySessions = () =>
  useQuery({
    queryKey: accountQueryKeys.sessions,
    queryFn: ({ signal }) => request('GET', '/api/me/sessions', sessionListSchema, { signal }).then((r) => r.sessions),
  });

export const useRecoveryCodeCount = (enabled: boolean) =>
  useQuery({
    queryKey: accountQueryKeys.recoveryCodes,
    queryFn: ({ signal }) => request('GET', '/api/me/recovery-codes', recoveryCodeCountSchema, { signal }).then((r) => r.remaining),
    enabled,
  });

export type SignInMethods = { hasPassword: boolean; twoFactorEnabled: boolean };

/**
 * Whether the account has a password and two-factor on: the Security page shows the password,
 * two-factor and recovery-code sections by these. Only the two booleans are kept.
 */
export const useSignInMethods = () =>
  useQuery({
    queryKey: accountQueryKeys.signInMethods,
    queryFn: async ({ signal }): Promise<SignInMethods> => {
      const [session, accounts] = await Promise.all([
        request('GET', '/api/auth/get-session', twoFactorFlagSchema, { signal }),
        request('GET', '/api/auth/list-accounts', signInAccountsSchema, { signal }),
      ]);
      return {
        hasPassword: accounts.some((account) => account.providerId === 'credential'),
        twoFactorEnabled: session?.user.twoFactorEnabled === true,
      };
    },
  });

// TEMPORARY until h13-stepup lands on main: the names of @keycard/protocol's auth-strength module.
export const ACR = {
  password: 'urn:keycard:acr:password',
  mfa: 'urn:keycard:acr:mfa',
  phishingResistant: 'urn:keycard:acr:phr',
} as const;
export interface StepUpChallenge {
  acrValues: string[];
  maxAge: number | undefined;
}
export function parseStepUpChallenge(value: string | null): StepUpChallenge | undefined {
  if (value === null || !/error="insufficient_user_authentication"/.test(value)) return undefined;
  const acr = /acr_values="([^"]*)"/.exec(value)?.[1];
  const age = /max_age="?(\d+)"?/.exec(value)?.[1];
  return {
    acrValues: acr === undefined ? [] : acr.split(' ').filter((v) => v !== ''),
    maxAge: age === undefined ? undefined : Number(age),
  };
}

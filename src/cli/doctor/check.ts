/** What `doctor` decides: one check per setting or API, with what to fix when it is not ok. */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';
export type Problem = 'config' | 'auth' | 'service';

export interface Check {
  id: 'config' | 'token' | 'host' | 'proxy' | 'rest' | 'analytics';
  title: string;
  status: CheckStatus;
  problem?: Problem;
  detail: string;
  fix?: string;
}

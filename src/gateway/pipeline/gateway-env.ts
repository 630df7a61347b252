import type { AppEnv } from '../../http/types.js';
import type { AuthenticatedKey } from '../authenticate.js';
import type { ProjectContext } from '../context/project-context.js';
import type { RequestLogRecorder } from './log-recorder.js';

/** Per-request variables on /v1 routes, set by the authentication middleware. */
export type GatewayEnv = {
  Variables: AppEnv['Variables'] & {
    apiKey: AuthenticatedKey;
    project: ProjectContext;
    log: RequestLogRecorder;
  };
};

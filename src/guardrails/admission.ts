// Admission of a new execution or load task: within orchestrator.max_concurrent_executions (429 over it).
import { McpError } from '../errors.js';
import { settingName } from './policy.js';

export const TOO_MANY_EXECUTIONS = 'TOO_MANY_EXECUTIONS';

export class TooManyExecutionsError extends McpError {
  override name = 'TooManyExecutionsError';
  constructor(active: number, max: number) {
    const setting = settingName('orchestrator.max_concurrent_executions');
    super(TOO_MANY_EXECUTIONS, `${active} executions are pending or running, the cap is ${max}: wait for one to end, or raise ${setting}`, {
      details: [{ path: '', code: TOO_MANY_EXECUTIONS, setting, value: active + 1, limit: max, message: `over the cap of ${max} concurrent executions` }],
    });
  }
}

/** Throws TooManyExecutionsError when one more would go over `max`. */
export function admitOneMore(active: number, max: number): void {
  if (active >= max) throw new TooManyExecutionsError(active, max);
}

import { DataError, RetriableError } from '@kconnect/api';
import { LoggerRegistry } from '../logging';
import { type ErrorContext, ErrorHandler, ToleranceExceededError } from './error-handler';

const log = new LoggerRegistry({ level: 'OFF' }).get('test');

describe('ErrorHandler', () => {
  it('skips, reports and counts a bad record under errors.tolerance=all', async () => {
    const reported: ErrorContext[] = [];
    let skips = 0;
    const eh = new ErrorHandler(
      { retryTimeoutMs: 0, retryDelayMaxMs: 10, toleranceAll: true },
      [{ report: async (c) => void reported.push(c) }],
      log,
      () => skips++,
    );
    const r = await eh.run('VALUE_CONVERTER', 'X', () => {
      throw new DataError('bad bytes');
    });
    expect(r).toBeUndefined();
    expect(skips).toBe(1);
    expect(reported.map((c) => [c.stage, c.className, c.error.message])).toEqual([['VALUE_CONVERTER', 'X', 'bad bytes']]);
    expect(eh.run('TRANSFORMATION', 'Y', () => 42)).toBe(42); // synchronous when fn is
  });

  it('fails with the stage named under errors.tolerance=none', async () => {
    const eh = new ErrorHandler({ retryTimeoutMs: 0, retryDelayMaxMs: 10, toleranceAll: false }, [], log);
    await expect(
      eh.run('KEY_CONVERTER', 'X', () => {
        throw new DataError('nope');
      }),
    ).rejects.toThrow(ToleranceExceededError);
  });

  it('retries retriable errors until errors.retry.timeout', async () => {
    const eh = new ErrorHandler({ retryTimeoutMs: 5000, retryDelayMaxMs: 20, toleranceAll: false }, [], log);
    let calls = 0;
    const r = await eh.execute('TASK_PUT', 'X', () => {
      if (++calls < 3) throw new RetriableError('busy');
      return 'ok';
    });
    expect([r, calls]).toEqual(['ok', 3]);
  });
});

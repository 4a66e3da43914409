import { DataError } from '@kconnect/api';
import { LoggerRegistry } from '../logging';
import { parse, value } from '../storage/kafka-status-store';
import { ErrorHandler, ToleranceExceededError } from './error-handler';
import { atStage, errorClass, failureFromTrace, failureOf, stageOf, staged, traceOf } from './failure';
import { type ConnectorTaskId, TaskExecutor, type TaskStatusListener } from './task-executor';

const log = new LoggerRegistry({ level: 'OFF' }).get('test');

describe('failure details', () => {
  it('keeps the innermost stage, reads a tolerance error’s own, and names the class', async () => {
    const e = atStage(new DataError('bad'), 'TASK_PUT');
    atStage(e, 'TASK_EXECUTOR');
    expect(stageOf(e)).toBe('TASK_PUT');
    await expect(staged('TASK_START', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    const thrown = await staged('TASK_START', () => Promise.reject(new Error('y'))).catch((x: unknown) => x);
    expect(stageOf(thrown)).toBe('TASK_START');
    expect(stageOf(new ToleranceExceededError('VALUE_CONVERTER', new Error('z')))).toBe('VALUE_CONVERTER');
    expect(stageOf(new Error('outer', { cause: e }))).toBe('TASK_PUT');
    class Custom extends Error {}
    expect(errorClass(new Custom('c'))).toBe('Custom');
    expect(errorClass(new DataError('d'))).toBe('DataError');
    expect(errorClass(new TypeError('t'))).toBe('TypeError');
  });

  it('builds the failure object and a trace with the causes', () => {
    const cause = new Error('socket closed');
    const e = atStage(new Error('Failed to send records to Kafka: socket closed', { cause }), 'KAFKA_PRODUCE');
    const f = failureOf(e, undefined, Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(f).toEqual({
      stage: 'KAFKA_PRODUCE',
      error_class: 'Error',
      message: 'Failed to send records to Kafka: socket closed',
      time: '2026-01-02T03:04:05.006Z',
    });
    expect(failureOf(new Error('no stage'), 'TASK_EXECUTOR').stage).toBe('TASK_EXECUTOR');
    const trace = traceOf(e);
    expect(trace.split('\n')[0]).toBe('Error: Failed to send records to Kafka: socket closed');
    expect(trace).toContain('\nCaused by: Error: socket closed');
  });

  it('reads class and message from a Java trace', () => {
    const java =
      'org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler\n\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:1)';
    expect(failureFromTrace(java)).toEqual({ error_class: 'org.apache.kafka.connect.errors.ConnectException', message: 'Tolerance exceeded in error handler' });
  });
});

describe('status records', () => {
  it('carry Java’s four keys with Java’s types, the failure as an extra key Java ignores', () => {
    const failure = { stage: 'TASK_POLL', error_class: 'Error', message: 'boom', time: '2026-01-01T00:00:00.000Z' };
    const v = JSON.parse(value({ state: 'FAILED', trace: 'Error: boom', worker_id: 'w:8083', generation: 3, failure }).toString());
    expect(v).toEqual({ state: 'FAILED', trace: 'Error: boom', worker_id: 'w:8083', generation: 3, failure });
    expect(parse(v, 'status-task-c-0')).toEqual({ state: 'FAILED', trace: 'Error: boom', worker_id: 'w:8083', generation: 3, failure });
    // As a Java worker writes it: no failure, and the record still parses.
    expect(parse({ state: 'FAILED', trace: 'x: y', worker_id: 'j:8083', generation: 1 }, 'k')).toEqual({
      state: 'FAILED',
      trace: 'x: y',
      worker_id: 'j:8083',
      generation: 1,
    });
    // Running statuses stay exactly Java's shape.
    expect(JSON.parse(value({ state: 'RUNNING', trace: null, worker_id: 'w', generation: 1 }).toString())).toEqual({
      state: 'RUNNING',
      trace: null,
      worker_id: 'w',
      generation: 1,
    });
  });
});

type Event = [string, ConnectorTaskId['task'], string?];

class FakeExecutor extends TaskExecutor {
  protected readonly errorHandler = new ErrorHandler({ retryTimeoutMs: 0, retryDelayMaxMs: 10, toleranceAll: false }, [], log);
  constructor(
    listener: TaskStatusListener,
    private readonly body: (self: FakeExecutor) => Promise<void>,
  ) {
    super({ connector: 'c', task: 0 }, 'STARTED', listener, log);
  }
  protected execute() {
    return this.body(this);
  }
  protected async close() {}
  started() {
    this.reportStarted();
  }
  crash(e: Error) {
    this.fail(e, 'KAFKA_CONSUME');
  }
  whenEnded() {
    return this.ended;
  }
}

function recorder(): { events: Event[]; listener: TaskStatusListener } {
  const events: Event[] = [];
  return {
    events,
    listener: {
      onStartup: (id) => events.push(['startup', id.task]),
      onRunning: (id) => events.push(['running', id.task]),
      onPause: (id) => events.push(['paused', id.task]),
      onFailure: (id, e) => events.push(['failed', id.task, stageOf(e)]),
      onShutdown: (id) => events.push(['shutdown', id.task]),
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('TaskExecutor status', () => {
  it('fails a task whose loop ends without being stopped', async () => {
    const { events, listener } = recorder();
    new FakeExecutor(listener, async (x) => x.started()).start();
    await tick();
    expect(events).toEqual([
      ['startup', 0],
      ['running', 0],
      ['failed', 0, 'TASK_EXECUTOR'],
    ]);
  });

  it('fails a task whose loop throws, with the stage it was tagged with', async () => {
    const { events, listener } = recorder();
    new FakeExecutor(listener, () => staged('TASK_START', () => Promise.reject(new Error('start failed')))).start();
    await tick();
    expect(events).toEqual([
      ['startup', 0],
      ['failed', 0, 'TASK_START'],
    ]);
  });

  it('never reports RUNNING after a failure reported while starting (a sink consumer crashing while it joins)', async () => {
    const { events, listener } = recorder();
    const x = new FakeExecutor(listener, async (self) => {
      self.crash(new Error('coordinator not available'));
      self.started();
      await self.whenEnded();
    });
    x.start();
    await tick();
    expect(events).toEqual([
      ['startup', 0],
      ['failed', 0, 'KAFKA_CONSUME'],
    ]);
    x.transitionTo('PAUSED');
    x.transitionTo('STARTED');
    expect(events.map((e) => e[0])).toEqual(['startup', 'failed']);
  });

  it('does not fail a task that is stopped, whatever its loop does then', async () => {
    const { events, listener } = recorder();
    const x = new FakeExecutor(listener, async (self) => {
      self.started();
      await self.whenEnded();
      throw new Error('interrupted by stop');
    });
    x.start();
    await tick();
    await x.stop(1000);
    expect(events.map((e) => e[0])).toEqual(['startup', 'running', 'shutdown']);
  });

  it('still records the failure when the listener throws', async () => {
    const { events, listener } = recorder();
    const x = new FakeExecutor(
      {
        ...listener,
        onFailure: () => {
          throw new Error('status store down');
        },
      },
      async () => undefined,
    );
    x.start();
    await tick();
    expect(x.failed?.message).toMatch(/ended without being stopped/);
    expect(events.map((e) => e[0])).toEqual(['startup']);
  });
});

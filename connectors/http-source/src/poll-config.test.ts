/** Poll-mode endpoint keys: the `http.poll.<key>` fallback of every `http.poll.endpoint.<name>.<key>`. */
import { pollEndpoints } from './poll-config';

const base = {
  'http.mode': 'poll',
  'http.poll.endpoints': 'a,b',
  'http.poll.topic': 't',
  'http.poll.endpoint.a.url': 'https://api.example.com/a',
  'http.poll.endpoint.b.url': 'https://api.example.com/b',
};

describe('offset.initial.<name>', () => {
  it('falls back to http.poll.offset.initial.<name>; an endpoint key wins over the shared one', () => {
    const errors = new Map<string, string[]>();
    const [a, b] = pollEndpoints(
      {
        ...base,
        'http.poll.offset.fields': 'cursor=/next,since=/updated',
        'http.poll.offset.initial.cursor': 'c0',
        'http.poll.offset.initial.since': '2026-01-01',
        'http.poll.endpoint.b.offset.initial.since': '2025-06-01',
        'http.poll.endpoint.b.offset.initial.extra': 'x',
      },
      null,
      errors,
    );
    expect(errors).toEqual(new Map());
    expect(a!.offsetInitial).toEqual({ cursor: 'c0', since: '2026-01-01' });
    expect(b!.offsetInitial).toEqual({ cursor: 'c0', since: '2025-06-01', extra: 'x' });
  });

  it('is empty without either key', () => {
    const errors = new Map<string, string[]>();
    expect(pollEndpoints(base, null, errors).map((e) => e.offsetInitial)).toEqual([{}, {}]);
  });
});

import { describe, expect, it } from 'vitest';
import { HotelUsageError, parseHotelArgs } from './args.js';

describe('parseHotelArgs', () => {
  it('defaults to port 4000, 127.0.0.1 and .keycard-demo', () => {
    const parsed = parseHotelArgs([], {});
    expect(parsed).toMatchObject({
      help: false,
      options: { port: 4000, host: '127.0.0.1', dataDir: '.keycard-demo', doorPorts: {} },
    });
  });

  it('takes flags over KEYCARD_DEMO_* variables', () => {
    const env = { KEYCARD_DEMO_PORT: '5000', KEYCARD_DEMO_DATA_DIR: '/env', KEYCARD_DEMO_HOST: '0.0.0.0' };
    expect(parseHotelArgs([], env)).toMatchObject({
      options: { port: 5000, dataDir: '/env', host: '0.0.0.0' },
    });
    const parsed = parseHotelArgs(
      ['--port', '0', '--office-port', '7003', '--mailbox-port', '7005', '--data-dir', '/flag'],
      env,
    );
    expect(parsed).toMatchObject({
      options: { port: 0, dataDir: '/flag', doorPorts: { office: 7003 }, mailboxPort: 7005 },
    });
  });

  it('answers help', () => {
    expect(parseHotelArgs(['--help'], {})).toEqual({ help: true });
    expect(parseHotelArgs(['-h'], {})).toEqual({ help: true });
  });

  it.each([
    [['--port', 'x']],
    [['--port', '70000']],
    [['--rooms-port', '-1']],
    [['--mailbox-port', 'x']],
    [['--nope']],
    [['positional']],
  ])('rejects %j with a usage error', (argv) => {
    expect(() => parseHotelArgs(argv, {})).toThrow(HotelUsageError);
  });

  it('rejects a malformed KEYCARD_DEMO_PORT, naming it', () => {
    expect(() => parseHotelArgs([], { KEYCARD_DEMO_PORT: '40OO' })).toThrow(/KEYCARD_DEMO_PORT/);
  });
});

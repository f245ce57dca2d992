import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type Frame } from './protocol.js';

const frame: Frame = { joinRef: '1', ref: '2', topic: 'realtime:calls', event: 'phx_join', payload: { config: {} } };

describe('Phoenix frames', () => {
  it('2.0.0 is an array, 1.0.0 an object, and both read back what was written', () => {
    expect(JSON.parse(encodeFrame(frame, '2.0.0'))).toEqual(['1', '2', 'realtime:calls', 'phx_join', { config: {} }]);
    expect(JSON.parse(encodeFrame(frame, '1.0.0'))).toEqual({ join_ref: '1', ref: '2', topic: 'realtime:calls', event: 'phx_join', payload: { config: {} } });
    expect(decodeFrame(encodeFrame(frame, '2.0.0'), '2.0.0')).toEqual(frame);
    expect(decodeFrame(encodeFrame(frame, '1.0.0'), '1.0.0')).toEqual(frame);
  });

  it('refuses what is not a frame of the version', () => {
    expect(decodeFrame('not json', '2.0.0')).toBeUndefined();
    expect(decodeFrame('{"topic":"t","event":"e"}', '2.0.0')).toBeUndefined();
    expect(decodeFrame('[null,null,"t","e",{}]', '1.0.0')).toBeUndefined();
    expect(decodeFrame('[null,null,1,"e",{}]', '2.0.0')).toBeUndefined();
  });
});

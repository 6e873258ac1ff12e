import type { Tracer } from '@aws-lambda-powertools/tracer';
import { traced } from '../../src/observability/tracing';

function fakeTracer() {
  const subsegment = { addAnnotation: jest.fn(), addError: jest.fn(), close: jest.fn() };
  const parent = { addNewSubsegment: jest.fn(() => subsegment) };
  const tracer = { getSegment: jest.fn(() => parent), setSegment: jest.fn() };
  return { tracer: tracer as unknown as Tracer, parent, subsegment };
}

describe('traced', () => {
  test('runs the work in an annotated subsegment and restores the parent segment', async () => {
    // GIVEN
    const { tracer, parent, subsegment } = fakeTracer();
    // WHEN
    const result = await traced(tracer, 'eda-write', { correlationId: 'corr-1', idempotencyKey: undefined }, async () => 42);
    // THEN
    expect(result).toBe(42);
    expect(parent.addNewSubsegment).toHaveBeenCalledWith('eda-write');
    expect(subsegment.addAnnotation.mock.calls).toEqual([['correlationId', 'corr-1']]);
    expect(subsegment.close).toHaveBeenCalled();
    expect((tracer.setSegment as jest.Mock).mock.calls.at(-1)).toEqual([parent]);
  });

  test('records the error on the subsegment and rethrows it', async () => {
    const { tracer, subsegment } = fakeTracer();
    const error = new Error('boom');
    await expect(traced(tracer, 'eda-write', {}, async () => {
      throw error;
    })).rejects.toBe(error);
    expect(subsegment.addError).toHaveBeenCalledWith(error);
    expect(subsegment.close).toHaveBeenCalled();
  });

  test('runs the work untraced without a tracer', async () => {
    await expect(traced(undefined, 'eda-write', {}, async () => 'plain')).resolves.toBe('plain');
  });
});

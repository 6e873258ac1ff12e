import {
  correlationIdFromEvent,
  currentCorrelationId,
  useCorrelationId,
} from '../../src/observability/correlation';
import { RecordingLogger } from '../support/fakes';

describe('correlation ids', () => {
  test('takes API Gateway requestContext.requestId when there is no header', () => {
    expect(correlationIdFromEvent({ headers: {}, requestContext: { requestId: 'req-123' } })).toBe('req-123');
  });

  test('prefers the x-correlation-id header, whatever its case', () => {
    expect(correlationIdFromEvent({ headers: { 'X-Correlation-Id': 'caller-9' }, requestContext: { requestId: 'req-123' } })).toBe('caller-9');
  });

  test('ignores a header that is not safe to log', () => {
    expect(correlationIdFromEvent({ headers: { 'x-correlation-id': 'bad\nvalue' }, requestContext: { requestId: 'req-123' } })).toBe('req-123');
  });

  test('sets the id on the Logger and as the current id', () => {
    // GIVEN
    const logger = new RecordingLogger();
    // WHEN
    const id = useCorrelationId({ headers: { 'x-correlation-id': 'caller-9' } }, logger);
    // THEN
    expect(id).toBe('caller-9');
    expect(logger.currentKeys).toEqual({ correlation_id: 'caller-9' });
    expect(currentCorrelationId()).toBe('caller-9');
  });

  test('generates a UUID when the event carries no id', () => {
    expect(useCorrelationId({}, new RecordingLogger())).toMatch(/^[0-9a-f-]{36}$/);
  });
});

import { countMetric, DEFAULT_METRICS_NAMESPACE, METRIC_NAMES, runtimeMetrics } from '../../src/observability/telemetry';

describe('runtime metrics', () => {
  test('publishes EMF in the ElasticDataAccess namespace with the correlation ids as metadata', () => {
    // GIVEN
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const metrics = runtimeMetrics();
      // WHEN
      countMetric(METRIC_NAMES.writesApplied, 3, metrics);
      metrics.addMetadata('correlation_ids', 'corr-1,corr-2');
      metrics.publishStoredMetrics();
    } finally {
      write.mockRestore();
    }
    // THEN
    const emf = JSON.parse(lines.find((l) => l.includes('CloudWatchMetrics'))!);
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: DEFAULT_METRICS_NAMESPACE, Metrics: [{ Name: 'WritesApplied', Unit: 'Count' }] });
    expect(emf).toMatchObject({ WritesApplied: 3, correlation_ids: 'corr-1,corr-2' });
  });

  test('names the seven business metrics of the pattern', () => {
    expect(Object.values(METRIC_NAMES)).toEqual(['WritesApplied', 'DuplicatesSkipped', 'PoisonMessages', 'TransientRetries', 'WritesDeferred', 'BreakerOpened', 'AfterCommitFailures']);
  });
});

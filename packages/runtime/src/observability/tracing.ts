import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Runs `fn` in an X-Ray subsegment when a Powertools Tracer is given (type-only import: handlers
 * that do not trace do not bundle the X-Ray SDK).
 */
export async function traced<T>(
  tracer: Tracer | undefined,
  name: string,
  annotations: Readonly<Record<string, string | undefined>>,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = tracer?.getSegment();
  if (!tracer || !parent) return fn();
  const subsegment = parent.addNewSubsegment(name);
  tracer.setSegment(subsegment);
  for (const [key, value] of Object.entries(annotations)) {
    if (value !== undefined) subsegment.addAnnotation(key, value);
  }
  try {
    return await fn();
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}

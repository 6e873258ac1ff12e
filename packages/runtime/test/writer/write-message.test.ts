import { parseWriteMessage } from '../../src/writer/write-message';
import { sqsRecord } from '../support/fakes';

const keyed = (key: string) => sqsRecord({ key, body: {} });

describe('parseWriteMessage idempotency keys', () => {
  test('a key of 255 characters is accepted, 256 is poison', () => {
    expect(parseWriteMessage(keyed('k'.repeat(255))).idempotencyKey).toHaveLength(255);
    expect(() => parseWriteMessage(keyed('k'.repeat(256)))).toThrow(expect.objectContaining({
      code: 'EDA_INVALID_IDEMPOTENCY_KEY', message: 'idempotency key is longer than 255 characters',
    }));
  });

  test('a key with a lone surrogate is poison: as UTF-8 it would be the same bytes as other such keys', () => {
    // Both lone surrogates encode to U+FFFD: stored, the two keys would collide.
    expect(Buffer.from('k\ud800', 'utf8').equals(Buffer.from('k\udc00', 'utf8'))).toBe(true);
    for (const key of ['k\ud800', 'k\udc00']) {
      expect(() => parseWriteMessage(sqsRecord({ body: { id: key } }), (body) => (body as { id: string }).id)).toThrow(expect.objectContaining({
        code: 'EDA_INVALID_IDEMPOTENCY_KEY', message: 'idempotency key is not well-formed Unicode (lone surrogate)',
      }));
    }
    // Surrogate pairs (characters outside the BMP) are well-formed.
    expect(parseWriteMessage(keyed('order-😀')).idempotencyKey).toBe('order-😀');
  });
});

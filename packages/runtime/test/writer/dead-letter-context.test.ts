import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { attributeBytes, deadLetterAttributes, DeadLetterContext, MAX_MESSAGE_SIZE_BYTES } from '../../src/writer/dead-letter-context';

const string = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
const CONTEXT: DeadLetterContext = { errorClass: 'permanent', errorCode: 'X', errorMessage: 'boom', attempts: 1, originalMessageId: 'm1' };
const PRODUCER = { 'eda-idempotency-key': string('k'), 'eda-correlation-id': string('c'), 'tenant-id': string('acme') };
const sizeOf = (attributes: Record<string, MessageAttributeValue>) => Object.entries(attributes).reduce((s, [n, v]) => s + attributeBytes(n, v), 0);

describe('dead-letter attributes', () => {
  test('keeps the producer\'s attributes next to the context', () => {
    const chosen = deadLetterAttributes(10, PRODUCER, CONTEXT)!;
    expect(Object.keys(chosen.attributes).sort()).toEqual([
      'eda-attempts', 'eda-correlation-id', 'eda-error-class', 'eda-error-code', 'eda-error-message', 'eda-idempotency-key', 'eda-original-message-id',
      'tenant-id',
    ]);
    expect(chosen.context).toBe('full');
  });

  test('with 11 producer attributes keeps 10 in all: the context, the ids, then the others by name; names the dropped', () => {
    const producer = { ...PRODUCER, ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`a${i}`, string('v')])) };
    const chosen = deadLetterAttributes(10, producer, CONTEXT)!;
    expect({ count: Object.keys(chosen.attributes).length, dropped: chosen.droppedAttributes })
      .toEqual({ count: 10, dropped: ['a3', 'a4', 'a5', 'a6', 'a7', 'tenant-id'] });
    expect(chosen.attributes).toMatchObject({ 'eda-idempotency-key': string('k'), 'eda-correlation-id': string('c'), 'a0': string('v') });
  });

  describe('at the 1 MiB limit (body + attribute names, types and values)', () => {
    const full = deadLetterAttributes(0, PRODUCER, CONTEXT)!;
    const fullBytes = sizeOf(full.attributes);

    test('the last body size with the whole error message', () => {
      const chosen = deadLetterAttributes(MAX_MESSAGE_SIZE_BYTES - fullBytes, PRODUCER, CONTEXT)!;
      expect({ context: chosen.context, message: chosen.attributes['eda-error-message'].StringValue }).toEqual({ context: 'full', message: 'boom' });
    });

    test('one byte more cuts the error message by one byte', () => {
      const chosen = deadLetterAttributes(MAX_MESSAGE_SIZE_BYTES - fullBytes + 1, PRODUCER, CONTEXT)!;
      expect({ context: chosen.context, message: chosen.attributes['eda-error-message'].StringValue }).toEqual({ context: 'truncated-message', message: 'boo' });
    });

    test('cuts between UTF-8 characters', () => {
      const chosen = deadLetterAttributes(MAX_MESSAGE_SIZE_BYTES - fullBytes + 1, PRODUCER, { ...CONTEXT, errorMessage: 'bééé'.slice(0, 3) })!;
      // 'béé' is 5 bytes and 3 fit: 'bé', not half of the second é
      expect(chosen.attributes['eda-error-message'].StringValue).toBe('bé');
    });

    test('no room for any error message: the error class alone, with the producer\'s attributes', () => {
      const chosen = deadLetterAttributes(MAX_MESSAGE_SIZE_BYTES - fullBytes + 4, PRODUCER, CONTEXT)!;
      expect({ context: chosen.context, names: Object.keys(chosen.attributes).sort(), dropped: chosen.droppedAttributes })
        .toEqual({ context: 'error-class-only', names: ['eda-correlation-id', 'eda-error-class', 'eda-idempotency-key', 'tenant-id'], dropped: [] });
    });

    test('the last body size that still carries the error class; one byte more carries nothing', () => {
      const errorClassBytes = attributeBytes('eda-error-class', string('permanent'));
      expect(deadLetterAttributes(MAX_MESSAGE_SIZE_BYTES - errorClassBytes, PRODUCER, CONTEXT))
        .toEqual({ attributes: { 'eda-error-class': string('permanent') }, droppedAttributes: ['eda-idempotency-key', 'eda-correlation-id', 'tenant-id'], context: 'error-class-only' });
      expect(deadLetterAttributes(MAX_MESSAGE_SIZE_BYTES - errorClassBytes + 1, PRODUCER, CONTEXT)).toBeUndefined();
    });
  });
});

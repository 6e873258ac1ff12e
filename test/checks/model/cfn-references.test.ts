import { allReferencedLogicalIds, asNumber, identityKey, referencedLogicalId } from '../../../src/checks/model/cfn-references';

describe('cfn-references', () => {
  test('a Ref and both GetAtt forms name the referenced logical id', () => {
    expect(referencedLogicalId({ Ref: 'Queue1' })).toBe('Queue1');
    expect(referencedLogicalId({ 'Fn::GetAtt': ['Queue1', 'Arn'] })).toBe('Queue1');
    expect(referencedLogicalId({ 'Fn::GetAtt': 'Queue1.Arn' })).toBe('Queue1');
  });

  test('pseudo parameters and imports name no resource', () => {
    expect(referencedLogicalId({ Ref: 'AWS::Region' })).toBeUndefined();
    expect(referencedLogicalId({ 'Fn::ImportValue': 'x' })).toBeUndefined();
    expect(identityKey({ 'Fn::ImportValue': 'x' })).toBeUndefined();
  });

  test('references inside Fn::Join and Fn::Sub are all found', () => {
    const value = {
      'Fn::Join': ['', [{ 'Fn::GetAtt': ['Fn1', 'Arn'] }, ':*']],
      'other': { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${Fn2.Arn}:${Fn3}' },
    };
    expect(allReferencedLogicalIds(value).sort()).toEqual(['Fn1', 'Fn2', 'Fn3']);
  });

  test('numbers given as strings are read, tokens and words are not', () => {
    expect(asNumber('30')).toBe(30);
    expect(asNumber(30)).toBe(30);
    expect(asNumber({ Ref: 'Visibility' })).toBeUndefined();
    expect(asNumber('thirty')).toBeUndefined();
  });
});

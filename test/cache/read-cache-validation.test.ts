import { CfnParameter } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ConnectableConsumer, errorMessageOf, readerFunction, stackWithVpc } from './read-cache-fixture';
import { ReadCache } from '../../src/cache';

describe('ReadCache props validation', () => {
  test('maxDataStorageGb below 1 fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, maxDataStorageGb: 0 }))).toBe(
      'maxDataStorageGb must be between 1 and 5000, got 0');
  });

  test('maxDataStorageGb above 5000 fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, maxDataStorageGb: 5001 }))).toBe(
      'maxDataStorageGb must be between 1 and 5000, got 5001');
  });

  test('a fractional maxDataStorageGb fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, maxDataStorageGb: 1.5 }))).toBe(
      'maxDataStorageGb must be a whole number, got 1.5');
  });

  test('maxEcpuPerSecond below 1000 fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, maxEcpuPerSecond: 999 }))).toBe(
      'maxEcpuPerSecond must be between 1000 and 15000000, got 999');
  });

  test('maxEcpuPerSecond above 15,000,000 fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, maxEcpuPerSecond: 15_000_001 }))).toBe(
      'maxEcpuPerSecond must be between 1000 and 15000000, got 15000001');
  });

  test('minEcpuPerSecond below 1000 fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, minEcpuPerSecond: 10 }))).toBe(
      'minEcpuPerSecond must be between 1000 and 15000000, got 10');
  });

  test('minEcpuPerSecond above maxEcpuPerSecond fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, minEcpuPerSecond: 5000, maxEcpuPerSecond: 2000 }))).toBe(
      'minEcpuPerSecond (5000) must not exceed maxEcpuPerSecond (2000)');
  });

  test('snapshotRetentionDays above 35 fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, snapshotRetentionDays: 36 }))).toBe(
      'snapshotRetentionDays must be between 1 and 35, got 36');
  });

  test('a cacheName with uppercase letters fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, cacheName: 'Orders' }))).toBe(
      "cacheName must be 1-40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got 'Orders'");
  });

  test('a cacheName longer than 40 characters fails', () => {
    const { stack, vpc } = stackWithVpc();
    const name = 'a'.repeat(41);
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, cacheName: name }))).toBe(
      `cacheName must be 1-40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got '${name}'`);
  });

  test('a cacheName with two consecutive hyphens fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, cacheName: 'orders--cache' }))).toBe(
      "cacheName must be 1-40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got 'orders--cache'");
  });

  test('a cacheName ending with a hyphen fails', () => {
    const { stack, vpc } = stackWithVpc();
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc, cacheName: 'orders-' }))).toBe(
      "cacheName must be 1-40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got 'orders-'");
  });

  test('a subnet selection that matches no subnet fails', () => {
    const { stack } = stackWithVpc();
    const isolatedOnly = new ec2.Vpc(stack, 'PublicOnly', { subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(errorMessageOf(() => new ReadCache(stack, 'Cache', { vpc: isolatedOnly, vpcSubnets: { subnetGroupName: 'public', availabilityZones: ['nowhere-1a'] } }))).toBe(
      'vpcSubnets selects no subnet in Stack/PublicOnly: the cache endpoint needs at least one subnet of the VPC');
  });

  test('limits given as tokens are not validated', () => {
    const { stack, vpc } = stackWithVpc();

    const storageLimit = new CfnParameter(stack, 'StorageLimit', { type: 'Number' });

    new ReadCache(stack, 'Cache', { vpc, maxDataStorageGb: storageLimit.valueAsNumber });

    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      CacheUsageLimits: { DataStorage: { Maximum: { Ref: 'StorageLimit' }, Unit: 'GB' } },
    });
  });
});

describe('ReadCache.connect validation', () => {
  test('a Lambda function outside the VPC fails', () => {
    const { stack, vpc } = stackWithVpc();
    const cache = new ReadCache(stack, 'Cache', { vpc });

    expect(errorMessageOf(() => cache.connect(readerFunction(stack, 'Reader')))).toBe(
      'connect consumer Stack/Reader has no security group: put it in the VPC of Stack/Cache (for a Lambda function, set vpc) so it can reach the cache');
  });

  test('a consumer without security groups fails', () => {
    const { stack, vpc } = stackWithVpc();
    const cache = new ReadCache(stack, 'Cache', { vpc });

    expect(errorMessageOf(() => cache.connect(new ConnectableConsumer(stack, 'Consumer', [])))).toBe(
      'connect consumer Stack/Consumer has no security group: put it in the VPC of Stack/Cache (for a Lambda function, set vpc) so it can reach the cache');
  });
});

import {
  DBProxy, DBProxyTarget, DBProxyTargetGroup, DescribeDBProxiesCommand, DescribeDBProxyTargetGroupsCommand,
  DescribeDBProxyTargetsCommand, RDSClient,
} from '@aws-sdk/client-rds';
import { awsFailure, CliError } from '../cli-context';

/** A deployed proxy as the doctor sees it: the proxy, each target group with its targets. */
export interface ProxyDescription {
  readonly proxy: DBProxy;
  readonly targetGroups: Array<{ readonly group: DBProxyTargetGroup; readonly targets: DBProxyTarget[] }>;
}

/** Pages through a Marker-paginated call (bounded: a proxy has few target groups and targets). */
async function allPages<T>(fetch: (marker?: string) => Promise<{ items?: T[]; marker?: string }>): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await fetch(marker);
    items.push(...(result.items ?? []));
    marker = result.marker;
    if (!marker) break;
  }
  return items;
}

/** Describes the proxy `name`, its target groups (pool settings) and their targets (health). */
export async function describeProxy(client: RDSClient, name: string): Promise<ProxyDescription> {
  let proxy: DBProxy | undefined;
  try {
    proxy = (await client.send(new DescribeDBProxiesCommand({ DBProxyName: name }))).DBProxies?.[0];
  } catch (error) {
    if (error instanceof Error && error.name === 'DBProxyNotFoundFault') {
      throw new CliError(`proxy ${name} not found in this account and region (check --region and the proxy name)`);
    }
    throw awsFailure('DescribeDBProxies', error);
  }
  if (!proxy) throw new CliError(`proxy ${name} not found in this account and region (check --region and the proxy name)`);

  const groups = await allPages(async (Marker) => {
    try {
      const page = await client.send(new DescribeDBProxyTargetGroupsCommand({ DBProxyName: name, Marker }));
      return { items: page.TargetGroups, marker: page.Marker };
    } catch (error) {
      throw awsFailure('DescribeDBProxyTargetGroups', error);
    }
  });
  const targetGroups = [];
  for (const group of groups) {
    const targets = await allPages(async (Marker) => {
      try {
        const page = await client.send(new DescribeDBProxyTargetsCommand({ DBProxyName: name, TargetGroupName: group.TargetGroupName, Marker }));
        return { items: page.Targets, marker: page.Marker };
      } catch (error) {
        throw awsFailure('DescribeDBProxyTargets', error);
      }
    });
    targetGroups.push({ group, targets });
  }
  return { proxy, targetGroups };
}

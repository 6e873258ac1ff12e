import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OrdersApiStack } from '../../examples/orders-api/app';

/** Asset hashes change with every bundling change; the snapshot pins the template shape, not the bytes. */
function normalisedTemplate(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}(\.zip)?/g, 'ASSET'));
}

function alarmsHaveActions(template: Template): void {
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  expect(Object.keys(alarms).length).toBeGreaterThan(0);
  for (const alarm of Object.values(alarms)) {
    expect(alarm.Properties.AlarmActions).toEqual(expect.arrayContaining([expect.anything()]));
    expect(alarm.Properties.OKActions).toEqual(expect.arrayContaining([expect.anything()]));
  }
}

describe('orders-api example', () => {
  // GIVEN the example stack, synthesized once (bundling three functions is the slow part)
  let template: Template;
  beforeAll(() => {
    // WHEN
    const stack: Stack = new OrdersApiStack(new App(), 'OrdersApi');
    template = Template.fromStack(stack);
  });

  test('exposes GET /orders/{id} and POST /orders on an HTTP API', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /orders/{id}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /orders' });
  });

  test('gives each of its 3 functions reserved concurrency', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toEqual(expect.any(Number));
    }
  });

  test('reads through a READ_ONLY proxy endpoint', () => {
    template.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY' });
  });

  test('drains the write buffer with at most 5 concurrent batches and partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('every alarm notifies on both ALARM and OK', () => {
    alarmsHaveActions(template);
  });

  test('matches the snapshot', () => {
    expect(normalisedTemplate(template)).toMatchSnapshot();
  });
});

import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { ElasticDataAccessRule } from '../../../src/checks';
import { checkedApp, findingsOf, pathsFor } from '../checked-app';
import { inlineFunction } from '../stack-fixtures';

const RULE = ElasticDataAccessRule.LAMBDA_INVOKES_LAMBDA;

describe('EDA1 LambdaInvokesLambda', () => {
  test('a function granted invoke on another function is reported on its role policy', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const caller = inlineFunction(stack, 'Caller');
    const callee = inlineFunction(stack, 'Callee');
    // WHEN
    callee.grantInvoke(caller);
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/Caller/ServiceRole/DefaultPolicy/Resource']);
  });

  test('a function allowed lambda:* on every resource is reported', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const caller = inlineFunction(stack, 'Caller');
    // WHEN
    caller.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:*'], resources: ['*'] }));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/Caller/ServiceRole/DefaultPolicy/Resource']);
  });

  test('an inline role policy granting invoke on another function is reported on the role', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const callee = inlineFunction(stack, 'Callee');
    // WHEN
    const role = new iam.Role(stack, 'CallerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        invoke: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [callee.functionArn] })],
        }),
      },
    });
    inlineFunction(stack, 'Caller', { role });
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/CallerRole/Resource']);
  });

  test('a function that hands work to a queue instead is compliant', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const caller = inlineFunction(stack, 'Caller');
    inlineFunction(stack, 'Callee');
    // WHEN
    new sqs.Queue(stack, 'Work').grantSendMessages(caller);
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });

  test('the custom resource provider framework invoking its handler is not reported', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    // WHEN
    new cr.Provider(stack, 'Provider', { onEventHandler: inlineFunction(stack, 'OnEvent') });
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });

  test('a Step Functions state machine invoking a function is not reported', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const worker = inlineFunction(stack, 'Worker');
    // WHEN
    new sfn.StateMachine(stack, 'Flow', {
      definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: worker })),
    });
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });
});

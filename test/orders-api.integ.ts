import { App, Aspects, CfnResource, IAspect, RemovalPolicy } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IConstruct } from 'constructs';
import { OrdersApiStack } from '../examples/orders-api/app';

/**
 * Integration test of the orders-api example (projen's built-in integ tests; README "Integration test").
 * `npm test` runs `integ:orders-api:assert`: it synthesizes this app and diffs the templates against
 * the committed snapshot in test/orders-api.integ.snapshot. `npx projen integ:orders-api:deploy`
 * deploys it to the account of your AWS credentials, refreshes the snapshot and destroys the stack.
 *
 * Creation stack traces are off so the snapshot holds no absolute paths and matches in any checkout.
 */
const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new OrdersApiStack(app, 'OrdersApiInteg');

/**
 * The integ stack is disposable: the example's production defaults (deletion protection on the cluster,
 * a final snapshot, retained log groups) would make the destroy step of `integ:orders-api:deploy` fail
 * or leave resources behind, so they are turned off here and only here.
 */
class Disposable implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof rds.CfnDBCluster || node instanceof rds.CfnDBInstance) node.deletionProtection = false;
    if (CfnResource.isCfnResource(node)) node.applyRemovalPolicy(RemovalPolicy.DESTROY);
  }
}
Aspects.of(stack).add(new Disposable());

app.synth();

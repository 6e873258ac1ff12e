import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeAccessLogGroup, acknowledgeDemoHttpApi } from './acknowledgements';

/** Options of the examples' HTTP API. */
export interface ExampleHttpApiProps {
  readonly description: string;
  /** Steady-state requests per second the stage admits: set it just above the load the functions were sized for. */
  readonly rateLimit: number;
  /** Burst the stage admits. */
  readonly burstLimit: number;
}

/**
 * An HTTP API whose `$default` stage throttles (so a spike is refused at the edge, before it reaches
 * a function's reserved concurrency) and writes a JSON access log kept for a year.
 */
export function exampleHttpApi(scope: Construct, props: ExampleHttpApiProps): apigwv2.HttpApi {
  const api = new apigwv2.HttpApi(scope, 'Api', { description: props.description, createDefaultStage: false });
  const accessLogs = new logs.LogGroup(scope, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
  api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
    accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: apigw.AccessLogFormat.jsonWithStandardFields() },
  });
  acknowledgeDemoHttpApi(api);
  acknowledgeAccessLogGroup(accessLogs);
  return api;
}

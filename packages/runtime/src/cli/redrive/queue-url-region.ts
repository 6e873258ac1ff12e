/**
 * The Region inside an SQS queue URL. SQS queue URLs have the form
 * `https://sqs.<region>.amazonaws.com/<account-id>/<queue-name>` ("Queue URL format",
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html),
 * `amazonaws.com.cn` in the China Regions; the legacy form is `https://<region>.queue.amazonaws.com/…`.
 * Undefined for anything else (a local SQS, a VPC endpoint), where the Region must come from --region or the environment.
 */
export function regionOfQueueUrl(queueUrl: string): string | undefined {
  const match = /^https:\/\/(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?\/\d+\/[^/]+$/.exec(queueUrl.trim());
  return match ? match[1] ?? match[2] : undefined;
}

/**
 * The rule ids reported by `ElasticDataAccessChecks`, for acknowledging a finding:
 * `Validations.of(construct).acknowledge({ id: ElasticDataAccessRule.LAMBDA_INVOKES_LAMBDA, reason: '...' })`.
 * RULES.md explains each rule.
 */
export enum ElasticDataAccessRule {
  /** EDA1: a function's role may lambda:InvokeFunction another function. */
  LAMBDA_INVOKES_LAMBDA = 'ElasticDataAccess-EDA1',
  /** EDA2: a function can reach a database port directly although a proxy exists for the database. */
  DIRECT_DATABASE_ACCESS_DESPITE_PROXY = 'ElasticDataAccess-EDA2',
  /** EDA3: a VPC function that reaches a database or proxy has no reserved concurrency. */
  DATABASE_CLIENT_WITHOUT_RESERVED_CONCURRENCY = 'ElasticDataAccess-EDA3',
  /** EDA4: an SQS event source mapping without ReportBatchItemFailures. */
  SQS_EVENT_SOURCE_WITHOUT_BATCH_ITEM_FAILURES = 'ElasticDataAccess-EDA4',
  /** EDA5: a consumed queue's visibility timeout is below 6 × the function timeout. */
  SQS_VISIBILITY_TIMEOUT_TOO_SHORT = 'ElasticDataAccess-EDA5',
  /** EDA6: a consumed queue without a DLQ or with maxReceiveCount below 5. */
  CONSUMED_QUEUE_WITHOUT_REDRIVE = 'ElasticDataAccess-EDA6',
  /** EDA7: an SQS mapping's maximum concurrency is missing or above the function's reserved concurrency. */
  MAX_CONCURRENCY_ABOVE_RESERVED_CONCURRENCY = 'ElasticDataAccess-EDA7',
  /** EDA8: an RDS proxy without RequireTLS. */
  PROXY_WITHOUT_REQUIRE_TLS = 'ElasticDataAccess-EDA8',
  /** EDA9: a dead-letter queue without a CloudWatch alarm. */
  DEAD_LETTER_QUEUE_WITHOUT_ALARM = 'ElasticDataAccess-EDA9',
}

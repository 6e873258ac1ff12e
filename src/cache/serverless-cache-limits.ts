/*
 * Limits of ElastiCache Serverless (Valkey / Redis OSS) that the ReadCache enforces at synth time.
 * CloudFormation accepts any number for these and fails only when the stack deploys.
 */

/**
 * Cache data storage limits in GB: 1–5,000 (aws-cdk-lib's ElastiCache alpha documents "Minimum data storage
 * size (1 GB)" and "Maximum data storage size (5000 GB)"; UNVERIFIED against ElastiCache's own API text,
 * which the stored corpus lacks and no @aws-sdk/client-elasticache is installed here).
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Scaling.html#Pre-Scaling
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DataStorage.html
 */
export const MIN_DATA_STORAGE_GB = 1;
export const MAX_DATA_STORAGE_GB = 5000;

/**
 * ElastiCache Processing Units per second limits: 1,000–15,000,000 ("Minimum request rate limit (1000 ECPUs
 * per second)", "Maximum request rate limit (15000000 ECPUs per second)", aws-cdk-lib ElastiCache alpha;
 * UNVERIFIED against ElastiCache's API text, as above).
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Scaling.html#Pre-Scaling
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ECPUPerSecond.html
 */
export const MIN_ECPU_PER_SECOND = 1000;
export const MAX_ECPU_PER_SECOND = 15_000_000;

/**
 * Daily snapshots are kept for at most 35 days.
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html
 */
export const MAX_SNAPSHOT_RETENTION_DAYS = 35;

/**
 * A serverless cache name: 1–40 characters, a letter first, then lowercase letters, digits and single
 * hyphens, not ending with a hyphen (the ElastiCache naming rules for cache identifiers).
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.Create.html (naming constraints)
 */
export const MAX_CACHE_NAME_LENGTH = 40;
export const CACHE_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$|^[a-z]$/;

/**
 * Serverless Valkey/Redis OSS caches listen on 6379 (primary endpoint, reads and writes) and on 6380
 * (reads from replicas, after the client sends READONLY). Both endpoints share one DNS name.
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/set-up.html#elasticache-install-grant-access-VPN
 */
export const PRIMARY_PORT = 6379;
export const READER_PORT = 6380;

/** The Valkey major version new caches run. https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html */
export const DEFAULT_MAJOR_ENGINE_VERSION = '8';
